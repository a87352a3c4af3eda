package escalation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands/commandstest"
)

// TestAssign: an escalation is given to a person (mentioned once, in the
// card's thread), shows on the card and in their queue, and may be moved
// to another outcome's IT channel; the raise time stays. Only its IT owner,
// assignee, it-leads and admins may; bad targets are refused.
func TestAssign(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos: IT owner UIT (it-lead)
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Stores online" it=<@UOWN|own> it-channel=<#CINFRA|it-infra>`)
	ctx := context.Background()
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	if err := e.Core.Deliver(ctx, &commandstest.Poster{}, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	raised, _ := e.St.GetEscalation(ctx, "T1", 1)

	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate assign E-1 <@ULI|li>"), "You need the it-lead or admin role to reassign escalations")
	e.Expect(e.Run("T1", "UIT", "CIT", "/escalate assign E-1 li"), "Assign E-1 to a person")
	e.Expect(e.Run("T1", "UIT", "CIT", "/escalate assign E-1 <#CX|x>"), "Assign E-1 to a person")
	e.Expect(e.Run("T1", "UIT", "CIT", "/escalate assign E-9 <@ULI|li>"), "There is no escalation E-9")

	a := e.Run("T1", "UIT", "CIT", "/escalate assign E-1 <@ULI|li>")
	e.Expect(a, "E-1 is now assigned to @ULI")
	var card, tell string
	for _, o := range a.Outgoing {
		if o.To.Update != "" {
			card = commandstest.Text(o.Message)
		} else {
			tell = commandstest.Text(o.Message)
		}
	}
	if !strings.Contains(card, "Assigned to: @ULI") || !strings.HasPrefix(strings.TrimSpace(strings.SplitN(card, "\n", 3)[1]), "@ULI ") {
		t.Errorf("card after assign:\n%s", card)
	}
	if !strings.Contains(tell, "@ULI, E-1 (INC0012345") || !strings.Contains(tell, "is assigned to you by @UIT") {
		t.Errorf("assignee notice: %q", tell)
	}
	e.Expect(e.Run("T1", "ULI", "CIT", "/escalate list assigned"), "E-1 INC0012345")
	// The assignee may act on it without a role.
	e.Expect(e.Run("T1", "ULI", "CIT", "/escalate note E-1 on my way"), "Note added to E-1")

	m := e.Run("T1", "ULI", "CIT", "/escalate assign E-1 <@UOWN|own> outcome=infra")
	e.Expect(m, "E-1 moved to infra and assigned to @UOWN")
	var newCard bool
	for _, o := range m.Outgoing {
		if o.To.Channel == "CINFRA" && o.Track != nil {
			newCard = true
		}
	}
	if !newCard {
		t.Errorf("no card posted in the new IT channel: %+v", m.Outgoing)
	}
	moved, _ := e.St.GetEscalation(ctx, "T1", 1)
	if moved.Outcome != "infra" || moved.Assignee != "UOWN" || !moved.RaisedAt.Equal(raised.RaisedAt) {
		t.Fatalf("after the move: %+v", moved)
	}
	e.Expect(e.Run("T1", "UOWN", "CINFRA", "/escalate assign E-1 <@UOWN|own> outcome=nope"), "No outcome nope")
	e.Run("T1", "UOWN", "CINFRA", "/resolve E-1 done")
	e.Expect(e.Run("T1", "UADMIN", "CINFRA", "/escalate assign E-1 <@ULI|li>"), "E-1 is resolved; there is nothing to reassign")
}
