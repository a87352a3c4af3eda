package escalation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/record"
)

// TestWithdrawAndReopen: the raiser withdraws an open escalation with a
// reason (others may not); a resolved one is reopened as the same E-n by
// its raiser within 14 days, its ladder counting from the reopening.
func TestWithdrawAndReopen(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	if err := e.Core.Deliver(ctx, &commandstest.Poster{}, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	before := e.AuditLen("T1")
	e.Expect(e.Run("T1", "USAM", "CHULL", "/escalate withdraw E-1 not needed"), "Only the person who raised E-1 (or an admin) can withdraw it")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate withdraw E-1"), "Say why you withdraw it")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate reopen E-1"), "E-1 is still open")
	if e.AuditLen("T1") != before {
		t.Fatal("a refused change wrote to the audit")
	}
	w := e.Run("T1", "UBIZ", "CSTORE", "/escalate withdraw E-1 fixed itself after a restart")
	e.Expect(w, "You withdrew E-1")
	var card string
	for _, o := range w.Outgoing {
		if o.To.Update != "" {
			card = commandstest.Text(o.Message)
		}
	}
	if !strings.Contains(card, "Withdrawn by @UBIZ") || strings.Contains(card, "[Acknowledge]") {
		t.Errorf("card after withdraw:\n%s", card)
	}
	got, _ := e.St.GetEscalation(ctx, "T1", 1)
	if got.State != record.StateResolved || !got.Withdrawn || got.ResolveNote != "fixed itself after a restart" {
		t.Fatalf("after withdraw: %+v", got)
	}
	e.Clock.Advance(time.Minute) // the same change at the same instant is a resent call
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate withdraw E-1 again"), "already resolved")

	e.Clock.Advance(24 * time.Hour)
	e.Expect(e.Run("T1", "USAM", "CHULL", "/escalate reopen E-1"), "Only the person who raised E-1, its assignee (or an admin) can reopen it")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate reopen E-1 the tills froze again"), "You reopened E-1")
	got, _ = e.St.GetEscalation(ctx, "T1", 1)
	if got.State != record.StateOpen || got.Withdrawn || got.Reopens != 1 || !got.ClockFrom().Equal(e.Clock.Now()) {
		t.Fatalf("after reopen: %+v", got)
	}
	e.Expect(e.Run("T1", "USAM", "CHULL", "/escalate INC0012345 still frozen"), "already escalated as E-1")

	e.Run("T1", "UIT", "CIT", "/resolve E-1 replaced")
	e.Clock.Advance(15 * 24 * time.Hour)
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate reopen E-1"), "resolved more than 14 days ago")
}
