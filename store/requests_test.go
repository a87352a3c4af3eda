package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// tagStep is one Tag call and what must hold after it.
type tagStep struct {
	outcome, actor, note string
	at                   time.Time
	wantPrev             string
	wantOpen             map[string]int // per-outcome set sizes
}

func TestTagRetagUntag(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos", "infra")
	steps := []tagStep{
		{"pos", "U1", "first", t0, "", map[string]int{"pos": 1, "infra": 0}},
		{"infra", "U2", "moved", t0.Add(time.Hour), "pos", map[string]int{"pos": 0, "infra": 1}},
		{"", "U3", "drift", t0.Add(2 * time.Hour), "infra", map[string]int{"pos": 0, "infra": 0}},
		{"pos", "U1", "", t0.Add(3 * time.Hour), "", map[string]int{"pos": 1, "infra": 0}},
	}
	rdb := s.Client()
	for i, st := range steps {
		prev, err := s.Tag(ctx, ws, "INC0012345", st.outcome, st.actor, st.note, st.at)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if prev != st.wantPrev {
			t.Errorf("step %d: prev = %q, want %q", i, prev, st.wantPrev)
		}
		for o, want := range st.wantOpen {
			n, err := rdb.SCard(ctx, taggedKey(s, o)).Result()
			if err != nil || int(n) != want {
				t.Errorf("step %d: |tagged:%s| = %d (%v), want %d", i, o, n, err, want)
			}
		}
	}
	r, err := s.GetRequest(ctx, ws, "INC0012345")
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != "pos" || r.Status != record.RequestOpen || r.Source != "chat" ||
		!r.FirstSeen.Equal(t0) || !r.Updated.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("request = %+v", r)
	}
	wantHist := []record.TagChange{
		{From: "", To: "pos", By: "U1", Note: "first", At: t0},
		{From: "pos", To: "infra", By: "U2", Note: "moved", At: t0.Add(time.Hour)},
		{From: "infra", To: "", By: "U3", Note: "drift", At: t0.Add(2 * time.Hour)},
		{From: "", To: "pos", By: "U1", Note: "", At: t0.Add(3 * time.Hour)},
	}
	if fmtSlice(r.History) != fmtSlice(wantHist) {
		t.Errorf("history:\n got %v\nwant %v", r.History, wantHist)
	}
	d, err := s.DigestData(ctx, ws, t0, t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tags) != 4 || d.Tags[1].From != "pos" || d.Tags[1].Outcome != "infra" || d.Tags[2].Outcome != "" {
		t.Errorf("tag events = %+v", d.Tags)
	}
	if len(d.NewRequests) != 1 || d.NewRequests[0].Outcome != "pos" {
		t.Errorf("new requests = %+v", d.NewRequests)
	}
}

// taggedKey is the per-outcome set key (see keys.go); the test reads it
// directly to check that Tag moved the ref between sets.
func taggedKey(s *store.Store, outcome string) string {
	return s.Prefix() + ":{" + ws + "}:tagged:" + outcome
}

func TestTagSameTimeKeepsEveryEvent(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	for _, who := range []string{"U1", "U2", "U3"} {
		if _, err := s.Tag(ctx, ws, "OPS-1", "pos", who, "", t0); err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.DigestData(ctx, ws, t0, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tags) != 3 {
		t.Errorf("got %d tag events at one instant, want 3", len(d.Tags))
	}
}

// TestTagResentIsOneEvent: the same tag call sent again (go-redis resends
// a script whose reply was lost) records one change, not two; the same
// outcome tagged again later is a new event.
func TestTagResentIsOneEvent(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	for range 2 {
		if _, err := s.Tag(ctx, ws, "OPS-1", "pos", "U1", "tills", t0); err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.GetRequest(ctx, ws, "OPS-1")
	if err != nil || len(r.History) != 1 {
		t.Fatalf("history after a resent tag: %+v, %v; want 1 entry", r.History, err)
	}
	if _, err := s.Tag(ctx, ws, "OPS-1", "pos", "U1", "tills", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.GetRequest(ctx, ws, "OPS-1"); len(r.History) != 2 {
		t.Errorf("a later re-tag to the same outcome: %d history entries, want 2", len(r.History))
	}
	if n := auditCounts(t, s)["tag"]; n != 2 {
		t.Errorf("audited %d tags, want 2", n)
	}
}

func TestGetRequestNotFound(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if _, err := s.GetRequest(ctx, ws, "INC404"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestTagOddReferences(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	// A URL reference, and one that looks like a suffix of another key.
	refs := []string{"https://jira.example.com/browse/OPS-1?x=1", "OPS-2:history", `quote"and\slash`}
	for _, ref := range refs {
		if _, err := s.Tag(ctx, ws, ref, "pos", "U1", "note with \"quotes\" and ünïcode", t0); err != nil {
			t.Fatalf("tag %q: %v", ref, err)
		}
		r, err := s.GetRequest(ctx, ws, ref)
		if err != nil || r.Ref != ref || len(r.History) != 1 || r.History[0].Note != "note with \"quotes\" and ünïcode" {
			t.Errorf("GetRequest(%q) = %+v, %v", ref, r, err)
		}
	}
}

// mustOutcomes defines active outcomes in ws.
func mustOutcomes(t testing.TB, s *store.Store, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if err := s.CreateOutcome(ctxT(t), ws, record.Outcome{Key: k, Title: k, Status: record.OutcomeActive, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTagChecksOutcome: unknown and archived outcomes are refused and
// nothing is written, in the same round trip as the tag.
func TestTagChecksOutcome(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "INC1", "nope", "U1", "", t0); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("unknown outcome: err = %v, want ErrNotFound", err)
	}
	o, _ := s.GetOutcome(ctx, ws, "pos")
	o.Status = record.OutcomeArchived
	if err := s.UpdateOutcome(ctx, ws, o, "U0", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0); !errors.Is(err, record.ErrArchived) {
		t.Fatalf("archived outcome: err = %v, want ErrArchived", err)
	}
	if _, err := s.GetRequest(ctx, ws, "INC1"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("a refused tag created the request: %v", err)
	}
}

// TestScriptCacheFlushed: after SCRIPT FLUSH (a restart or failover to a
// replica that never saw the script) EVALSHA fails with NOSCRIPT, and the
// store resends the script with EVAL.
func TestScriptCacheFlushed(t *testing.T) {
	// Not parallel: SCRIPT FLUSH is server-wide, and a parallel test's
	// pipelined EVALSHA (the seeder's) would see NOSCRIPT.
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if err := s.Client().ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0); err != nil {
		t.Fatalf("tag after SCRIPT FLUSH: %v", err)
	}
	if _, err := s.Tag(ctx, ws, "INC1", "", "U1", "", t0); err != nil {
		t.Fatalf("second tag: %v", err)
	}
}
