package shell_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestShellCardForms: :click E-n note|assign opens the card's Add note and
// Reassign forms (not for someone who may not act on it); :submit runs
// them (errors per field, the form stays open; the hidden escalation
// cannot be set).
func TestShellCardForms(t *testing.T) {
	var out bytes.Buffer
	sh, _, _ := newShell(t, &out)
	ctx := context.Background()
	sh.Line(ctx, `/outcome add pos "Point of sale" it=@raj it-channel=#it-pos`)
	sh.Line(ctx, `/outcome add infra "Stores online" it=@li it-channel=#it-infra`)
	sh.Line(ctx, ":as sam")
	sh.Line(ctx, ":in store-ops")
	sh.Line(ctx, "/escalate outcome=pos tills down in Leeds")
	step := func(line string, want ...string) {
		t.Helper()
		out.Reset()
		sh.Line(ctx, line)
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: want %q in\n%s", line, w, out.String())
			}
		}
	}
	step(":click E-1 frob", "usage: :click <E-n> ack|resolve|note|assign")
	step(":click E-1 note", "You need the it-lead or admin role to add notes", "/outcome grant @sam it-lead")
	step(`:submit note="any news?"`, "no form is open")
	step(":as raj")
	step(":click E-1 note", "To add a note to E-1 by command: /escalate note E-1 <text>", "[form: Add a note]", "note: Note")
	step(`:submit escalation=E-2 note="x"`, `the form has no field "escalation"`)
	step(`:submit note=" "`, "! note: Write the note.")
	step(`:submit note="vendor on site at 2pm"`, "[form closed", "Note added to E-1", "Latest note: vendor on site at 2pm (@raj)")
	step(":click E-1 assign", "[form: Reassign]", "assignee: Give it to (a person's name)", "outcome: Move it to another outcome (optional) (one of infra, pos), optional")
	step(`:submit outcome=infra`, "! assignee: Pick the person")
	step(`:submit assignee=@li outcome=infra`, "E-1 moved to infra and assigned to @li", "#it-infra")
}
