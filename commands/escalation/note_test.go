package escalation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands/commandstest"
)

// TestNote: /escalate note records a note (IT owner, it-lead or admin),
// shows it on the card, adds it to the card's thread and tells everyone
// waiting; others are refused and a resolved escalation takes no notes.
func TestNote(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	if err := e.Core.Deliver(ctx, &commandstest.Poster{}, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	e.Run("T1", "USAM", "CHULL", "/escalate INC0012345 Hull too")

	before := e.AuditLen("T1")
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate note E-1 any news?"), "You need the it-lead or admin role to add notes")
	e.Expect(e.Run("T1", "UIT", "CIT", "/escalate note E-1    "), "Usage: /escalate note <E-n> <text…>")
	if e.AuditLen("T1") != before {
		t.Fatal("a refused note changed state")
	}

	n := e.Run("T1", "UIT", "CIT", "/escalate note E-1 vendor engineer on site at 2pm")
	e.Expect(n, "Note added to E-1")
	var card, thread string
	told := map[string]bool{}
	for _, o := range n.Outgoing {
		text := commandstest.Text(o.Message)
		switch {
		case o.To.Update != "":
			card = text
		case o.To.Channel == "CIT":
			thread = text
		default:
			told[o.To.Channel] = strings.Contains(text, "vendor engineer on site at 2pm")
		}
	}
	if !strings.Contains(card, "Latest note: vendor engineer on site at 2pm (@UIT)") || !strings.Contains(thread, "Note on E-1") {
		t.Errorf("card:\n%s\nthread: %s", card, thread)
	}
	if !told["CSTORE"] || !told["CHULL"] {
		t.Errorf("everyone waiting should be told: %v", told)
	}
	got, _ := e.St.GetEscalation(ctx, "T1", 1)
	if got.Note != "vendor engineer on site at 2pm" || got.NoteBy != "UIT" {
		t.Fatalf("stored note %+v", got)
	}
	e.Run("T1", "UIT", "CIT", "/resolve E-1 fixed")
	e.Expect(e.Run("T1", "UIT", "CIT", "/escalate note E-1 late"), "E-1 is resolved; notes go on open escalations.")
}
