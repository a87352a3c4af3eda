package escalation_test

import (
	"context"
	"slices"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
)

// The card names who is expected to act on it (Teams shows them their own
// view): the IT owner, then also the assignee; nobody once resolved.
func TestCardActors(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos: IT owner UIT (it-lead)
	ctx := context.Background()
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	if card := r.Outgoing[1].Message; !slices.Equal(card.Actors, []string{"UIT"}) {
		t.Fatalf("new card actors %v, want the IT owner", card.Actors)
	}
	if err := e.Core.Deliver(ctx, &commandstest.Poster{}, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	a := e.Run("T1", "UIT", "CIT", "/escalate assign E-1 <@ULI|li>")
	var updated *commands.Response
	for i, o := range a.Outgoing {
		if o.To.Update != "" {
			updated = &a.Outgoing[i].Message
		}
	}
	if updated == nil || !slices.Equal(updated.Actors, []string{"ULI", "UIT"}) {
		t.Fatalf("reassigned card: %+v, want actors the assignee and the IT owner", updated)
	}
	esc, _ := e.St.GetEscalation(ctx, "T1", 1)
	res := e.Click("T1", "UIT", commands.ActionResolve, "E-1", commands.MessageRef{Channel: esc.CardChannel, ID: esc.CardID})
	if !res.Replace || len(res.Actors) != 0 || len(res.Buttons) != 0 {
		t.Errorf("resolved card: replace %v, actors %v, buttons %v; want no actors", res.Replace, res.Actors, res.Buttons)
	}
}
