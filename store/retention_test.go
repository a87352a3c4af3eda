package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestSweep: resolved escalations and untouched requests older than the
// cutoff go with every index entry; everything else stays and still reads.
func TestSweep(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	rdb := s.Client()
	mustOutcomes(t, s, "pos", "infra")
	old := t0.AddDate(-2, 0, 0)
	cutoff := t0.AddDate(-1, 0, 0)
	recent := t0.Add(-24 * time.Hour)
	tag := func(ref, outcome string, at time.Time) {
		t.Helper()
		if _, err := s.Tag(ctx, ws, ref, outcome, "U1", "", at); err != nil {
			t.Fatal(err)
		}
	}
	tag("OLD-1", "pos", old)  // untouched since: goes
	tag("OLD-2", "", old)     // recorded untagged (no tag event), untouched: goes
	tag("KEEP-1", "pos", old) // re-tagged recently: stays
	tag("KEEP-1", "infra", recent)
	tag("NEW-1", "pos", recent) // recent: stays
	esc := func(ref string, at time.Time) int64 {
		t.Helper()
		e, err := s.Escalate(ctx, ws, record.Escalation{Ref: ref, Outcome: "pos", RaisedBy: "U1", RaisedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return e.N
	}
	gone := esc("OLD-1", old) // resolved long ago: goes
	storetest.Ack(ctx, s, ws, gone, "U2", "", old.Add(time.Hour))
	storetest.Resolve(ctx, s, ws, gone, "U2", "", old.Add(2*time.Hour))
	openOld := esc("OLD-1", old)  // still open: stays
	ackedOld := esc("OLD-1", old) // acknowledged, never resolved: stays
	storetest.Ack(ctx, s, ws, ackedOld, "U2", "", old.Add(time.Hour))
	resolvedRecently := esc("NEW-1", old) // raised long ago, resolved recently: stays
	storetest.Resolve(ctx, s, ws, resolvedRecently, "U2", "", recent)

	res, err := s.Sweep(ctx, ws, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if res.Escalations != 1 || res.Requests != 2 || res.TagEvents != 2 {
		t.Errorf("swept %+v; want 1 escalation, 2 requests, 2 tag events", res)
	}
	for _, ref := range []string{"OLD-1", "OLD-2"} {
		if _, err := s.GetRequest(ctx, ws, ref); err == nil {
			t.Errorf("request %s kept", ref)
		}
	}
	for _, ref := range []string{"KEEP-1", "NEW-1"} {
		if r, err := s.GetRequest(ctx, ws, ref); err != nil || len(r.History) == 0 {
			t.Errorf("request %s: %+v, %v", ref, r, err)
		}
	}
	if _, err := s.GetEscalation(ctx, ws, gone); err == nil {
		t.Errorf("E-%d kept", gone)
	}
	for _, n := range []int64{openOld, ackedOld, resolvedRecently} {
		if _, err := s.GetEscalation(ctx, ws, n); err != nil {
			t.Errorf("E-%d: %v", n, err)
		}
	}
	// No index names a removed record.
	prefix := s.Prefix() + ":{" + ws + "}:"
	for _, idx := range []string{"idx:esc:raised", "idx:esc:acked", "idx:esc:resolved", "escby:U1"} {
		if _, err := rdb.ZScore(ctx, prefix+idx, fmt.Sprint(gone)).Result(); err == nil {
			t.Errorf("%s still names E-%d", idx, gone)
		}
	}
	for _, ref := range []string{"OLD-1", "OLD-2"} {
		if _, err := rdb.ZScore(ctx, prefix+"idx:new", ref).Result(); err == nil {
			t.Errorf("request index still names %s", ref)
		}
	}
	if rdb.SIsMember(ctx, prefix+"tagged:pos", "OLD-1").Val() {
		t.Error("pos's open set still holds OLD-1")
	}
	if !rdb.SIsMember(ctx, prefix+"tagged:infra", "KEEP-1").Val() || !rdb.SIsMember(ctx, prefix+"tagged:pos", "NEW-1").Val() {
		t.Error("open sets lost a kept request")
	}
	all, err := s.ListEscalations(ctx, ws, record.EscalationFilter{})
	if err != nil || len(all) != 3 {
		t.Errorf("list after sweep: %d escalations, %v; want 3", len(all), err)
	}
	var exported int
	if err := s.EachRequest(ctx, ws, 10, func(rs []record.Request) error { exported += len(rs); return nil }); err != nil || exported != 2 {
		t.Errorf("walk after sweep: %d requests, %v; want 2", exported, err)
	}
	d, err := s.DigestData(ctx, ws, recent.Add(-time.Hour), t0)
	if err != nil || d.OpenTagged["pos"] != 1 || d.OpenTagged["infra"] != 1 {
		t.Errorf("digest after sweep: open tagged %v, %v", d.OpenTagged, err)
	}
	// A second sweep finds nothing more.
	if again, err := s.Sweep(ctx, ws, cutoff); err != nil || again != (store.SweepResult{}) {
		t.Errorf("second sweep: %+v, %v", again, err)
	}
}

// TestSweepAllTakesTheLease: only one holder sweeps at a time.
func TestSweepAllTakesTheLease(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "OLD-1", "pos", "U1", "", t0.AddDate(-2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Client().Set(ctx, s.Prefix()+":retention:lease", "other", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if _, ran, err := s.SweepAll(ctx, t0.AddDate(-1, 0, 0), "me", time.Minute); ran || err != nil {
		t.Fatalf("swept while another held the lease: ran %v, %v", ran, err)
	}
	s.Client().Del(ctx, s.Prefix()+":retention:lease")
	res, ran, err := s.SweepAll(ctx, t0.AddDate(-1, 0, 0), "me", time.Minute)
	if !ran || err != nil || res.Requests != 1 {
		t.Fatalf("SweepAll = %+v, %v, %v; want 1 request", res, ran, err)
	}
	if s.Client().Exists(ctx, s.Prefix()+":retention:lease").Val() != 0 {
		t.Error("lease not released")
	}
}

// TestMemoryPerRecord measures what requests and escalations cost in Redis
// (MEMORY USAGE), as the closing performance note reports them:
//
//	go test ./store -run TestMemoryPerRecord -v
func TestMemoryPerRecord(t *testing.T) {
	if storetest.Kind() == "miniredis" {
		t.Skip("miniredis has no MEMORY USAGE")
	}
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos-conversion", "infra-maintenance", "store-network")
	outcomes := []string{"pos-conversion", "infra-maintenance", "store-network"}
	seed := store.NewSeeder(s, ws)
	const requests, escalations = 2000, 400
	at := t0.AddDate(0, -6, 0)
	for i := range requests {
		ref := fmt.Sprintf("INC%07d", 12345+i)
		seed.Tag(ref, outcomes[i%3], fmt.Sprintf("U0%07d", i%50), at.Add(time.Duration(i)*time.Minute))
		if i%4 == 0 { // a quarter are re-tagged once
			seed.Tag(ref, outcomes[(i+1)%3], "U0IT00001", at.Add(time.Duration(i)*time.Minute+time.Hour))
		}
	}
	for i := range escalations {
		raised := at.Add(time.Duration(i) * time.Hour)
		seed.Escalate(record.Escalation{Ref: fmt.Sprintf("INC%07d", 12345+i), Outcome: outcomes[i%3],
			Reason: "Leeds tills reject contactless payments since the 9am update", RaisedBy: fmt.Sprintf("U0%07d", i%50),
			RaisedIn: "C0STOREOPS", RaisedAt: raised, CardChannel: "C0ITPOS01", CardID: "1764000000.123456",
			AnnounceChannel: "C0STOREOPS", AnnounceID: "1764000000.654321"})
		n := int64(i + 1)
		seed.Ack(n, "U0IT00001", raised.Add(90*time.Minute))
		if i%2 == 0 {
			seed.Resolve(n, "U0IT00001", raised.Add(5*time.Hour))
		}
	}
	if err := seed.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Memory(ctx, ws, 200)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("redis %s: %d requests at %d bytes each, %d escalations at %d bytes each, audit stream %d bytes",
		storetest.Kind(), rep.Requests, rep.PerRequest, rep.Escalations, rep.PerEscalation, rep.Audit)
	if rep.Requests != requests || rep.Escalations != escalations {
		t.Fatalf("counted %d requests, %d escalations", rep.Requests, rep.Escalations)
	}
	// Bounds that catch a regression (a record a few times its size), not
	// the exact figures, which vary with the Redis version and allocator.
	if rep.PerRequest < 100 || rep.PerRequest > 2048 || rep.PerEscalation < 100 || rep.PerEscalation > 2048 {
		t.Errorf("per request %d, per escalation %d bytes: outside 100..2048", rep.PerRequest, rep.PerEscalation)
	}
}

// TestSweepForgetsJoinersAndTicketLinks: sweeping a resolved escalation
// also drops it from the lists of those who joined it and drops its
// ticket's link to it, so neither grows forever.
func TestSweepForgetsJoinersAndTicketLinks(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	for _, u := range []string{"U1", "U2"} {
		if _, _, _, err := s.EscalateRequest(ctx, ws, record.Escalation{Ref: "INC1", Outcome: "pos", Reason: "down", RaisedBy: u, RaisedIn: "C1", RaisedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := storetest.Resolve(ctx, s, ws, 1, "UIT", "", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sweep(ctx, ws, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Client().ZCard(ctx, s.Prefix()+":{"+ws+"}:escby:U2").Result(); n != 0 {
		t.Errorf("the joiner's list still holds %d entries", n)
	}
	if n, _ := s.Client().HLen(ctx, s.Prefix()+":{"+ws+"}:escbyref").Result(); n != 0 {
		t.Errorf("the ticket link survived the sweep (%d fields)", n)
	}
}
