package store_test

import (
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func trendWeek(start time.Time, tagged int) record.TrendWeek {
	return record.TrendWeek{
		Start:    start,
		Total:    record.TrendCounts{Tagged: tagged, Overdue: 2, AckMedian: 90 * time.Minute, AckN: 3, NewRequests: 10, Untagged: 4},
		Outcomes: map[string]record.TrendCounts{"pos": {Tagged: tagged, Raised: 1}},
	}
}

// TestTrendWeekWrittenOnce: the first write of a week wins; a second one
// (another replica, a later rebuild) changes nothing.
func TestTrendWeekWrittenOnce(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]*store.Store{"plain": storetest.New(t), "cluster": storetest.NewCluster(t)} {
		ctx := ctxT(t)
		wk := record.TrendWeekStart(t0).AddDate(0, 0, -7)
		if ok, err := s.WriteTrendWeek(ctx, ws, trendWeek(wk, 3), t0); err != nil || !ok {
			t.Fatalf("%s: first write: %v %v", name, ok, err)
		}
		if ok, err := s.WriteTrendWeek(ctx, ws, trendWeek(wk, 9), t0); err != nil || ok {
			t.Fatalf("%s: second write: %v %v", name, ok, err)
		}
		weeks, _, err := s.TrendWeeks(ctx, ws, []time.Time{wk.AddDate(0, 0, -7), wk}, []string{"pos", "nope"})
		if err != nil {
			t.Fatal(err)
		}
		if !weeks[0].Missing || weeks[1].Missing {
			t.Fatalf("%s: missing flags %v %v", name, weeks[0].Missing, weeks[1].Missing)
		}
		if got, want := weeks[1].Total, trendWeek(wk, 3).Total; got != want {
			t.Errorf("%s: total %+v, want %+v", name, got, want)
		}
		if got := weeks[1].Outcomes; got["pos"].Tagged != 3 || got["pos"].Raised != 1 || len(got) != 1 {
			t.Errorf("%s: outcome rows %+v", name, got)
		}
	}
}

// TestTrendRetention: a week is kept two years after it ends, then
// dropped; a week already older than that is never written.
func TestTrendRetention(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	old := record.TrendWeekStart(t0.Add(-record.TrendRetention)).AddDate(0, 0, -14)
	if ok, err := s.WriteTrendWeek(ctx, ws, trendWeek(old, 1), t0); err != nil || ok {
		t.Fatalf("week older than two years written: %v %v", ok, err)
	}
	wk := record.TrendWeekStart(t0).AddDate(0, 0, -7)
	if ok, err := s.WriteTrendWeek(ctx, ws, trendWeek(wk, 1), t0); err != nil || !ok {
		t.Fatal(ok, err)
	}
	weeks, _, err := s.TrendWeeks(ctx, ws, []time.Time{old, wk}, nil)
	if err != nil || !weeks[0].Missing || weeks[1].Missing {
		t.Fatalf("read: %+v %v", weeks, err)
	}
	keys, err := s.Client().Keys(ctx, s.Prefix()+":*:trend:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("trend keys %v %v", keys, err)
	}
	ttl, err := s.Client().PTTL(ctx, keys[0]).Result()
	want := wk.AddDate(0, 0, 7).Add(record.TrendRetention).Sub(t0)
	if err != nil || ttl > want || ttl < want-time.Minute {
		t.Fatalf("TTL %s, want %s (two years after the week ends)", ttl, want)
	}
}

// TestTrendWeeksFirstRecord: the read says when the workspace's history
// starts (none for an empty workspace), so weeks before it are gaps.
func TestTrendWeeksFirstRecord(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	weeks, first, err := s.TrendWeeks(ctx, ws, []time.Time{record.TrendWeekStart(t0)}, nil)
	if err != nil || !first.IsZero() || !weeks[0].Missing {
		t.Fatalf("empty workspace: first %v, weeks %+v, %v", first, weeks, err)
	}
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Escalate(ctx, ws, record.Escalation{Ref: "INC1", Outcome: "pos", RaisedBy: "U1", RaisedAt: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, first, err = s.TrendWeeks(ctx, ws, nil, nil); err != nil || !first.Equal(t0.Add(-time.Hour)) {
		t.Fatalf("first record %v, want %v (%v)", first, t0.Add(-time.Hour), err)
	}
}

// TestWriteTrendWeeksBatch: a batch writes the weeks not yet stored, skips
// the stored and the expired ones, and says how many it wrote.
func TestWriteTrendWeeksBatch(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]*store.Store{"plain": storetest.New(t), "cluster": storetest.NewCluster(t)} {
		ctx := ctxT(t)
		last := record.TrendWeekStart(t0).AddDate(0, 0, -7)
		if _, err := s.WriteTrendWeek(ctx, ws, trendWeek(last, 7), t0); err != nil {
			t.Fatal(err)
		}
		batch := []record.TrendWeek{trendWeek(last.AddDate(-3, 0, 0), 1), trendWeek(last.AddDate(0, 0, -14), 2), trendWeek(last.AddDate(0, 0, -7), 3), trendWeek(last, 4)}
		n, err := s.WriteTrendWeeks(ctx, ws, batch, t0)
		if err != nil || n != 2 {
			t.Fatalf("%s: wrote %d (%v), want the two new weeks", name, n, err)
		}
		weeks, _, err := s.TrendWeeks(ctx, ws, []time.Time{batch[0].Start, batch[1].Start, batch[2].Start, last}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !weeks[0].Missing || weeks[1].Total.Tagged != 2 || weeks[2].Total.Tagged != 3 || weeks[3].Total.Tagged != 7 {
			t.Errorf("%s: weeks %+v", name, weeks)
		}
	}
}
