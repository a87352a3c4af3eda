package escalation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
)

// TestEscalatingTwiceJoins: a second person escalating the same request is
// told it is already escalated and joins it; the card shows them waiting
// and their reason reaches its thread; when IT acknowledges, they are told
// too. Nothing new is raised.
func TestEscalatingTwiceJoins(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos → CIT, IT owner UIT; INC0012345 tagged
	ctx := context.Background()
	p := &commandstest.Poster{}
	first := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down in Leeds")
	if err := e.Core.Deliver(ctx, p, first.Outgoing); err != nil {
		t.Fatal(err)
	}
	p.Reset()

	e.Clock.Advance(2 * time.Hour)
	second := e.Run("T1", "USAM", "CHULL", "/escalate INC0012345 Hull tills too")
	e.Expect(second, "INC0012345", "is already escalated as E-1, open 2h, not acknowledged. You'll be told when it moves.", "Your reason is added to it.")
	if err := e.Core.Deliver(ctx, p, second.Outgoing); err != nil {
		t.Fatal(err)
	}
	posts := p.Posts()
	if len(posts) != 2 || !posts[0].Update || posts[0].To.Channel != "CIT" || posts[1].To.Thread == "" {
		t.Fatalf("a join should update the card and add to its thread: %+v", posts)
	}
	card := commandstest.Text(posts[0].Message)
	if !strings.Contains(card, "Also waiting: @USAM") || !strings.Contains(card, "Open, not acknowledged") {
		t.Errorf("card after the join:\n%s", card)
	}
	e.Expect(posts[1].Message, "Also raised by @USAM in #CHULL: Hull tills too")
	if _, err := e.St.GetEscalation(ctx, "T1", 2); err == nil {
		t.Fatal("a second escalation was raised")
	}

	// Asking again changes nothing and posts nothing.
	again := e.Run("T1", "USAM", "CHULL", "/escalate INC0012345 still down")
	e.Expect(again, "already escalated as E-1")
	if strings.Contains(commandstest.Text(again), "Your reason is added") || len(again.Outgoing) != 0 {
		t.Errorf("asking again posted: %+v", again.Outgoing)
	}

	ack := e.Run("T1", "UIT", "CIT", "/ack E-1 on it")
	var toSam []commands.Outgoing
	for _, o := range ack.Outgoing {
		if o.To.Channel == "CHULL" {
			toSam = append(toSam, o)
		}
	}
	if len(toSam) != 1 || !strings.Contains(commandstest.Text(toSam[0].Message), "@USAM E-1 (INC0012345") ||
		!strings.Contains(commandstest.Text(toSam[0].Message), "which you also raised, was acknowledged by @UIT") {
		t.Fatalf("the joiner is not told of the ack: %+v", ack.Outgoing)
	}
}
