package escalation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
)

func TestEscalationFlow(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate inc0012345 tills reject <!channel> cards")
	e.Expect(r, "E-1 raised", "INC0012345")
	if len(r.Outgoing) != 2 {
		t.Fatalf("want announcement and card, got %d outgoing", len(r.Outgoing))
	}
	ann, card := r.Outgoing[0], r.Outgoing[1]
	if ann.To.Channel != "CSTORE" || ann.Message.Visibility != commands.InChannel {
		t.Errorf("announcement goes to %s visibility %v", ann.To.Channel, ann.Message.Visibility)
	}
	if card.To.Channel != "CIT" || len(card.Message.Buttons) != 4 || card.Message.Buttons[0].Action != commands.ActionAck {
		t.Fatalf("card: to %s buttons %+v", card.To.Channel, card.Message.Buttons)
	}
	if !strings.Contains(card.Message.Text, commands.Mention("UIT")) {
		t.Errorf("card does not mention the IT owner: %q", card.Message.Text)
	}
	p := &commandstest.Poster{}
	if err := e.Core.Deliver(ctx, p, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	esc, err := e.St.GetEscalation(ctx, "T1", 1)
	if err != nil || esc.CardID == "" || esc.AnnounceID == "" {
		t.Fatalf("card and announcement not tracked: %+v %v", esc, err)
	}

	e.Clock.Advance(72 * time.Minute)
	src := commands.MessageRef{Channel: esc.CardChannel, ID: esc.CardID}
	r = e.Click("T1", "UIT", commands.ActionAck, "E-1", src)
	if !r.Replace {
		t.Fatalf("ack click does not replace the card: %s", commandstest.Text(r))
	}
	e.Expect(r, "Acknowledged by @UIT", "waited 1h 12m")
	if len(r.Buttons) != 3 || r.Buttons[0].Action != commands.ActionResolve || r.Buttons[1].Form != "note" {
		t.Errorf("acknowledged card should keep Resolve, Add note and Reassign: %+v", r.Buttons)
	}
	if len(r.Outgoing) != 1 || r.Outgoing[0].To.Thread != esc.AnnounceID || r.Outgoing[0].To.Channel != "CSTORE" {
		t.Fatalf("requester not told in the announcement's thread: %+v", r.Outgoing)
	}
	e.Expect(r.Outgoing[0].Message, "@UBIZ", "acknowledged by @UIT after 1h 12m")

	// A second click is not a second acknowledgement.
	r = e.Click("T1", "UADMIN", commands.ActionAck, "E-1", src)
	e.Expect(r, "already acknowledged")
	if len(r.Outgoing) != 0 {
		t.Errorf("a repeated ack notifies again: %+v", r.Outgoing)
	}
	r = e.Run("T1", "UIT", "CIT", "/resolve E-1 reader firmware rolled back")
	e.Expect(r, "You resolved E-1")
	if len(r.Outgoing) != 2 || r.Outgoing[0].To.Update != esc.CardID {
		t.Fatalf("resolve by command should update the card and notify: %+v", r.Outgoing)
	}
	e.Expect(e.Run("T1", "UIT", "CIT", "/ack E-1"), "already resolved")
}

// TestCardShowsDueAndLatestNote: an open card says when acknowledgement is
// due; once acknowledged it drops that and shows the note.
func TestCardShowsDueAndLatestNote(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	e.Expect(r.Outgoing[1].Message, "Acknowledge: by Mon 16 Nov 13:00 UTC (SLA 4h)")
	if err := e.Core.Deliver(context.Background(), &commandstest.Poster{}, r.Outgoing); err != nil {
		t.Fatal(err) // records where the card landed, so the ack updates it
	}
	ack := e.Run("T1", "UIT", "CIT", "/ack E-1 swapping the reader")
	var card string
	for _, o := range ack.Outgoing {
		if o.To.Update != "" {
			card = commandstest.Text(o.Message)
		}
	}
	e.Expect(ack, "You acknowledged E-1")
	if strings.Contains(card, "Acknowledge: by") || !strings.Contains(card, "Latest note: swapping the reader (@UIT)") {
		t.Errorf("card after ack:\n%s", card)
	}
	got, _ := e.St.GetEscalation(context.Background(), "T1", 1)
	if got.AckNote != "swapping the reader" {
		t.Fatalf("ack note %q", got.AckNote)
	}
}
