package store_test

import (
	"testing"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestSeen: a user is seen once their request was handled (MarkSeen), or
// they hold a role, or they raised an escalation; only in that workspace.
func TestSeen(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	seen := func(ws, user string) bool {
		t.Helper()
		ok, err := s.Seen(ctx, ws, user)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if seen(ws, "U1") {
		t.Fatal("a stranger is seen")
	}
	for range 2 {
		if err := s.MarkSeen(ctx, ws, "U1"); err != nil {
			t.Fatal(err)
		}
	}
	if !seen(ws, "U1") || seen("T9", "U1") {
		t.Error("MarkSeen is not per workspace")
	}
	if _, err := s.Grant(ctx, ws, "U2", record.RoleITLead, "U0", t0); err != nil {
		t.Fatal(err)
	}
	if !seen(ws, "U2") {
		t.Error("a role holder is not seen")
	}
	if err := s.CreateOutcome(ctx, ws, record.Outcome{Key: "pos", Title: "Point of sale", Status: record.OutcomeActive}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.EscalateRequest(ctx, ws, record.Escalation{Outcome: "pos", Reason: "tills", RaisedBy: "U3", RaisedIn: "C1", RaisedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if !seen(ws, "U3") {
		t.Error("a raiser is not seen")
	}
}
