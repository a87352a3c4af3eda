package slack

import (
	"testing"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// TestRenderRepeatedButtonsGetTheirOwnRows: a message with the same
// Yes / Archive pair for several outcomes (the weekly check-in) renders
// each pair as its own actions block, since Slack refuses a block whose
// elements share an action_id; every button keeps its value.
func TestRenderRepeatedButtonsGetTheirOwnRows(t *testing.T) {
	resp := commands.Response{Title: "Weekly check-in", Text: "Still a priority?"}
	for _, k := range []string{"pos", "infra", "hr"} {
		resp.Buttons = append(resp.Buttons,
			commands.Button{Label: "Yes: " + k, Action: "outcome-confirm", Value: k},
			commands.Button{Label: "Archive " + k, Action: "outcome-archive", Value: k})
	}
	msgs := Render(resp)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	var rows [][]string
	for _, b := range msgs[0].Blocks {
		a, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		ids := map[string]bool{}
		var row []string
		for _, el := range a.Elements.ElementSet {
			btn := el.(*slack.ButtonBlockElement)
			if ids[btn.ActionID] {
				t.Errorf("action_id %q twice in one block", btn.ActionID)
			}
			ids[btn.ActionID] = true
			row = append(row, btn.ActionID+":"+btn.Value)
		}
		rows = append(rows, row)
	}
	if len(rows) != 3 || rows[1][0] != "outcome-confirm:infra" || rows[2][1] != "outcome-archive:hr" {
		t.Errorf("rows = %v, want one Yes/Archive pair per outcome", rows)
	}
}
