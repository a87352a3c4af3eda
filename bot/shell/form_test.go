package shell_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestShellForms: /escalate alone prints the form; :submit checks it field
// by field and keeps it open on errors; :message opens it on a message,
// quoted, and the raise keeps the message's link.
func TestShellForms(t *testing.T) {
	var out bytes.Buffer
	sh, _, _ := newShell(t, &out)
	ctx := context.Background()
	sh.Line(ctx, `/outcome add pos "Point of sale" it=@raj it-channel=#it-pos`)
	sh.Line(ctx, ":as sam")
	sh.Line(ctx, ":in store-ops")
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
	step(":submit outcome=pos", "no form is open")
	step("/escalate", "[form: Escalate blocked work]", "outcome: Outcome it is blocking (one of pos)", "channel: Announce it in (a channel), optional [now: store-ops]")
	step(`:submit reason="tills down"`, "! outcome: Pick the outcome", "still open")
	step(`:submit outcome=pos ticket=TILLS reason="tills down"`, "! ticket: TILLS doesn't look like a ticket")
	step(`:submit outcome=pos nosuch=1`, `the form has no field "nosuch"`)
	step(`:submit outcome=pos reason="tills down in Leeds"`, "[form closed", "E-1 raised", "→ posted in #it-pos")
	step(`:submit outcome=pos reason="again"`, "no form is open")
	step(`:message maria @raj tills are <!channel> broken`, "[form: Escalate blocked work]", "[now: @raj tills are <!channel> broken]")
	step(`:submit outcome=pos channel=#leeds`, "E-2 raised", "→ posted in #leeds", "From: the message it was raised on <https://shell.invalid/store-ops/m1>")
	step(`:message maria`, "usage: :message <author> <text")
	step(`/escalate tills broken`, "Which outcome is this blocking?", "Active outcomes: pos")
}
