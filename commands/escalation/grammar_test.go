package escalation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/record"
)

// TestEscalateWithoutATicket: the ticket is optional and only a ticket is
// a ticket; the outcome comes from outcome= or the ticket's tag, and when
// neither says, the caller is asked with the active outcomes named and
// nothing is raised.
func TestEscalateWithoutATicket(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos; INC0012345 tagged to pos
	ctx := context.Background()
	count := func() int {
		list, err := e.St.ListEscalations(ctx, "T1", record.EscalationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	for _, line := range []string{
		"/escalate tills are broken again in Leeds",
		"/escalate TILLS are broken again",
		"/escalate E-1 still broken",
	} {
		e.Expect(e.Run("T1", "UBIZ", "CSTORE", line), "Which outcome is this blocking? Add outcome=<key>", "Active outcomes: pos.", "Nothing was raised yet.")
	}
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0099998 card readers down"),
		"INC0099998", "is not tagged to an outcome", "/escalate INC0099998 outcome=pos card readers down")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate outcome=nope tills down"), "No outcome nope")
	if n := count(); n != 0 {
		t.Fatalf("%d escalations raised by questions and refusals", n)
	}

	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate outcome=pos tills are broken again in Leeds")
	e.Expect(r, "E-1 raised for (no ticket yet) → pos")
	got, err := e.St.GetEscalation(ctx, "T1", 1)
	if err != nil || got.Ref != "" || got.Outcome != "pos" || got.Reason != "tills are broken again in Leeds" {
		t.Fatalf("E-1 = %+v %v", got, err)
	}
	card := commandstest.Text(r.Outgoing[1].Message)
	if !strings.Contains(card, "escalated (no ticket yet) for pos: tills are broken again in Leeds") {
		t.Errorf("card:\n%s", card)
	}

	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0099999 outcome=pos card readers down"), "E-2 raised for INC0099999")
	if got, _ := e.St.GetEscalation(ctx, "T1", 2); got.Ref != "INC0099999" || got.Outcome != "pos" {
		t.Errorf("E-2 = %+v", got)
	}
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345. tills down"), "E-3 raised for INC0012345")
	// A second ticketless escalation is its own: there is no request to join.
	e.Expect(e.Run("T1", "USAM", "CHULL", "/escalate outcome=pos tills are broken in Hull"), "E-4 raised")
}

// TestTicketLater: an escalation raised without a ticket gets one later,
// by /tag <ticket> <E-n> or /escalate ticket; the ticket is tagged to its
// outcome and escalating the ticket then joins it.
func TestTicketLater(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Stores online"`)
	e.Run("T1", "UADMIN", "CGEN", "/tag OPS-9 infra")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate outcome=pos tills down"), "E-1 raised for (no ticket yet)")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/tag TILLS E-1"), "doesn't look like a ticket")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/tag OPS-9 E-1"), "OPS-9", "is tagged to infra but E-1 is for pos")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/tag INC0044444 E-9"), "There is no escalation E-9")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/tag INC0044444 E-1"), "E-1 now has the ticket INC0044444", "tagged to pos")
	ctx := context.Background()
	got, _ := e.St.GetEscalation(ctx, "T1", 1)
	r, _ := e.St.GetRequest(ctx, "T1", "INC0044444")
	if got.Ref != "INC0044444" || r.Outcome != "pos" {
		t.Fatalf("E-1 ref %q, request outcome %q", got.Ref, r.Outcome)
	}
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate ticket E-1 INC0055555"), "E-1 already has the ticket INC0044444")
	e.Expect(e.Run("T1", "USAM", "CHULL", "/escalate INC0044444 here too"), "already escalated as E-1")
}
