package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// digestFixture writes history before, inside and after the week
// [t0, t0+7d) and returns the store.
func digestFixture(t *testing.T) *store.Store {
	s, ctx := storetest.New(t), ctxT(t)
	week := 7 * 24 * time.Hour
	old, late := t0.Add(-30*24*time.Hour), t0.Add(week+24*time.Hour)
	for _, k := range []string{"pos", "infra", "idle"} {
		if err := s.CreateOutcome(ctx, ws, record.Outcome{Key: k, Title: k, CreatedAt: old}); err != nil {
			t.Fatal(err)
		}
	}
	tag := func(ref, outcome string, at time.Time) {
		if _, err := s.Tag(ctx, ws, ref, outcome, "U1", "", at); err != nil {
			t.Fatal(err)
		}
	}
	raise := func(ref string, at time.Time) int64 {
		e, err := s.Escalate(ctx, ws, record.Escalation{Ref: ref, RaisedBy: "U1", RaisedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return e.N
	}
	ack := func(n int64, at time.Time) {
		if _, _, err := storetest.Ack(ctx, s, ws, n, "U2", "", at); err != nil {
			t.Fatal(err)
		}
	}
	resolve := func(n int64, at time.Time) {
		if _, _, err := storetest.Resolve(ctx, s, ws, n, "U2", "", at); err != nil {
			t.Fatal(err)
		}
	}
	tag("INC-OLD", "pos", old)
	e1 := raise("INC-OLD", old) // raised, acked, resolved before: not in the digest
	ack(e1, old.Add(time.Hour))
	resolve(e1, old.Add(2*time.Hour))
	raise("INC-OLD", old.Add(time.Hour)) // E-2 still open
	e3 := raise("INC-OLD", old.Add(2*time.Hour))
	ack(e3, old.Add(3*time.Hour))
	resolve(e3, t0.Add(time.Hour)) // resolved in the week
	for i := range 20 {            // more old history that must not be read
		tag(fmt.Sprint("OLD-", i), "infra", old.Add(-time.Duration(i)*time.Hour))
		resolve(raise("OLD", old.Add(-time.Duration(i)*time.Hour)), old)
	}
	tag("INC-NEW1", "infra", t0)           // first second of the window
	tag("INC-NEW2", "", t0.Add(time.Hour)) // recorded untagged: received, drift, no tag event
	tag("INC-OLD", "infra", t0.Add(2*time.Hour))
	e4 := raise("INC-NEW1", t0.Add(3*time.Hour))
	ack(e4, t0.Add(4*time.Hour))
	tag("INC-EDGE", "pos", t0.Add(week)) // the window's end is excluded
	tag("INC-NEW1", "pos", late)
	tag("INC-LATE", "pos", late)
	raise("INC-LATE", late) // open now
	return s
}

func TestDigestData(t *testing.T) {
	t.Parallel()
	s := digestFixture(t)
	from, to := t0, t0.Add(7*24*time.Hour)
	d, err := s.DigestData(ctxT(t), ws, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if !d.From.Equal(from) || !d.To.Equal(to) {
		t.Errorf("window = %v..%v", d.From, d.To)
	}
	var outcomes []string
	for _, o := range d.Outcomes {
		outcomes = append(outcomes, o.Key)
	}
	if got := fmtSlice(outcomes); got != "[idle infra pos]" {
		t.Errorf("outcomes = %v", got)
	}
	if got := fmt.Sprint(d.OpenTagged); got != "map[idle:0 infra:21 pos:3]" {
		t.Errorf("open tagged = %v", got)
	}
	var tags []string
	for _, e := range d.Tags {
		tags = append(tags, fmt.Sprintf("%s:%s>%s@%s", e.Ref, e.From, e.Outcome, e.At.Sub(t0)))
	}
	if got, want := fmtSlice(tags), "[INC-NEW1:>infra@0s INC-OLD:pos>infra@2h0m0s]"; got != want {
		t.Errorf("tags = %v, want %v", got, want)
	}
	var fresh []string
	for _, r := range d.NewRequests {
		fresh = append(fresh, fmt.Sprintf("%s:%s:%s", r.Ref, r.Outcome, r.FirstSeen.Sub(t0)))
	}
	if got, want := fmtSlice(fresh), "[INC-NEW1:pos:0s INC-NEW2::1h0m0s]"; got != want {
		t.Errorf("new requests = %v, want %v", got, want)
	}
	var escs []string
	for _, e := range d.Escalations {
		escs = append(escs, fmt.Sprintf("E-%d:%s", e.N, e.State))
	}
	if got, want := fmtSlice(escs), "[E-2:open E-3:resolved E-24:acknowledged E-25:open]"; got != want {
		t.Errorf("escalations = %v, want %v", got, want)
	}
}

func TestDigestDataEmpty(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	d, err := s.DigestData(ctxT(t), ws, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Outcomes)+len(d.Tags)+len(d.NewRequests)+len(d.Escalations)+len(d.OpenTagged) != 0 {
		t.Errorf("empty workspace digest = %+v", d)
	}
}
