package escalation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
)

// TestSnooze: snoozing pauses the ladder until then (the reminder waits),
// the card shows it, and bad spans are refused with nothing changed.
func TestSnooze(t *testing.T) {
	e := newEnv(t) // 09:00 Monday 16 Nov, UTC; default SLA 4h
	e.Seed("T1")
	ctx := context.Background()
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	if err := e.Core.Deliver(ctx, &commandstest.Poster{}, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	before := e.AuditLen("T1")
	for span, want := range map[string]string{"-1h": "must end in the future", "8d": "at most 7 days", "soon": "is not a time to snooze for"} {
		e.Expect(e.Run("T1", "UIT", "CIT", "/escalate snooze E-1 "+span), want)
	}
	if e.AuditLen("T1") != before {
		t.Fatal("a refused snooze changed state")
	}
	s := e.Click("T1", "UIT", "snooze", "E-1 morning", commands.MessageRef{Channel: "CIT", ID: "card"})
	e.Expect(s, "E-1 snoozed until Tue 17 Nov 09:00 UTC")
	var card string
	for _, o := range s.Outgoing {
		if o.To.Update != "" {
			card = commandstest.Text(o.Message)
		}
	}
	if !strings.Contains(card, "Snoozed: until Tue 17 Nov 09:00 UTC by @UIT") {
		t.Errorf("card:\n%s", card)
	}
	p := &commandstest.Poster{}
	if err := e.Cadence.RunDue(ctx, p, commandstest.Start.Add(10*time.Hour), "h"); err != nil {
		t.Fatal(err)
	}
	for _, post := range p.Posts() {
		if strings.HasPrefix(commands.PlainText(post.Message.Text), "Reminder") || strings.Contains(commands.PlainText(post.Message.Text), "leadership") {
			t.Fatalf("a ladder step went out while snoozed: %q", post.Message.Text)
		}
	}
	if err := e.Cadence.RunDue(ctx, p, commandstest.Start.Add(24*time.Hour+time.Minute), "h"); err != nil {
		t.Fatal(err)
	}
	reminded := false
	for _, post := range p.Posts() {
		reminded = reminded || strings.HasPrefix(commands.PlainText(post.Message.Text), "Reminder")
	}
	if !reminded {
		t.Error("no reminder once the snooze ended")
	}
}
