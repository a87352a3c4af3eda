package escalation_test

import (
	"context"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// TestITOwnerActsWithoutAGrant: an outcome's IT owner may acknowledge and
// resolve its escalations without the it-lead role, by command or button;
// anyone else without a role is refused, told the command that grants it,
// and nothing changes.
func TestITOwnerActsWithoutAGrant(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Stores stay online" it=<@UOWN|own> it-channel=<#CINFRA|it-infra>`)
	e.Run("T1", "UADMIN", "CGEN", "/tag INC0070001 infra")
	e.Run("T1", "UADMIN", "CGEN", "/tag INC0070002 infra")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0070001 router down"), "E-1 raised")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0070002 printer down"), "E-2 raised")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down"), "E-3 raised") // pos: owned by UIT

	before := e.AuditLen("T1")
	r := e.Run("T1", "UOTHER", "CINFRA", "/ack E-1")
	e.Expect(r, "You need the it-lead or admin role to acknowledge escalations (or own the outcome in IT)", "/outcome grant @UOTHER it-lead")
	e.Expect(e.Run("T1", "UOWN", "CINFRA", "/ack E-3"), "You need the it-lead or admin role") // not their outcome
	if e.AuditLen("T1") != before {
		t.Fatal("a refused ack changed state")
	}

	e.Expect(e.Run("T1", "UOWN", "CINFRA", "/ack E-1 looking"), "You acknowledged E-1")
	e.Expect(e.Click("T1", "UOWN", commands.ActionResolve, "E-2", commands.MessageRef{Channel: "CINFRA", ID: "card-2"}), "Resolved by @UOWN")
	ctx := context.Background()
	for n, want := range map[int64]string{1: record.StateAcknowledged, 2: record.StateResolved, 3: record.StateOpen} {
		if got, err := e.St.GetEscalation(ctx, "T1", n); err != nil || got.State != want {
			t.Errorf("E-%d = %q (%v), want %s", n, got.State, err, want)
		}
	}
}
