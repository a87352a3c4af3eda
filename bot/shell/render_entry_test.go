package shell

import (
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

// TestRenderSectionButtons: a section's buttons show as text under it.
func TestRenderSectionButtons(t *testing.T) {
	got := Render(commands.Response{Sections: []commands.Section{{Text: "E-1 tills down",
		Buttons: []commands.Button{{Label: "Acknowledge", Action: "queue_ack", Value: "E-1"}, {Label: "Resolve", Action: "queue_resolve", Value: "E-1"}}}}})
	if !strings.Contains(got, "  E-1 tills down\n    [Acknowledge] [Resolve]") {
		t.Fatalf("got:\n%s", got)
	}
}
