package commands_test

import (
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

// TestSpansArePrintable: whatever reaches a renderer through Spans (the
// ITSM's titles, a user's reason) has no control characters or invisible
// formatting left: NUL, BEL, ESC, DEL, bidi overrides, zero-width joins.
func TestSpansArePrintable(t *testing.T) {
	raw := "tills\x00 \x07down\x1b[31m \u202eevil\u202c <!chan\u200dnel> \x7f" + commands.Bold("lee\u200bds\x00")
	var b strings.Builder
	for _, sp := range commands.Spans(raw) {
		b.WriteString(sp.Text + sp.Target)
	}
	got := b.String()
	if got != "tills down[31m evil <!channel> leeds" {
		t.Errorf("spans %q", got)
	}
	if commands.Printable("line one\r\nline two\ttab") != "line one\nline two\ttab" {
		t.Error("line breaks and tabs must stay")
	}
}
