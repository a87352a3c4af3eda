package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

// TestFullHomeFitsOneView: an IT owner with a full queue, many raised
// escalations and many owned outcomes gets a Home tab within Slack's 100
// blocks whose every list ends with how many more there are, none cut off.
func TestFullHomeFitsOneView(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	run := func(user, line string) {
		t.Helper()
		name, rest := commands.SplitCommand(line)
		r := h.core.Handle(ctx, commands.Request{Workspace: "T1", Channel: "CGEN", User: user, Command: name, Text: rest})
		if strings.Contains(commands.PlainText(r.Text), "Usage") {
			t.Fatalf("%s: %s", line, commands.PlainText(r.Text))
		}
	}
	for i := range 45 {
		run("UADMIN", fmt.Sprintf(`/outcome add o%02d "Outcome %d" it=%s owner=%s it-channel=%s`, i, i,
			commands.UserMention("UIT", "it"), commands.UserMention("UIT", "it"), commands.ChannelMention("CIT", "it")))
		run("UIT", fmt.Sprintf("/escalate INC%07d outcome=o%02d tills down", i, i))
	}
	resp, err := h.core.Home(ctx, "T1", "UIT", h.core.Clock().Now())
	if err != nil {
		t.Fatal(err)
	}
	rendered := 0
	for _, m := range Render(resp) {
		rendered += len(m.Blocks)
	}
	view := homeView(resp)
	js, _ := json.Marshal(view)
	if rendered > maxHomeBlocks {
		t.Errorf("the home renders as %d blocks; Slack shows %d, so the end is cut off", rendered, maxHomeBlocks)
	}
	if n := strings.Count(string(js), "more:"); n < 3 {
		t.Errorf("%d of the 3 lists say how many more there are:\n%s", n, js)
	}
}
