package teams

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

// TestRenderSectionButtons: a section's own buttons (a queue entry's) are
// an ActionSet inside its container, each sending its action and value.
func TestRenderSectionButtons(t *testing.T) {
	resp := commands.Response{Title: "Escalations (assigned to you) · 1–2 of 2", Sections: []commands.Section{
		{Text: "*E-1* tills down", Buttons: []commands.Button{{Label: "Acknowledge", Action: "queue_ack", Value: "E-1"}, {Label: "Snooze 1h", Action: "snooze", Value: "E-1 1h"}}},
		{Text: "*E-2* printer down"},
	}}
	msgs := renderResponse(resp, testDir)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	js, _ := json.Marshal(msgs[0].Attachments[0].Content)
	s := string(js)
	for _, want := range []string{`"type":"ActionSet"`, `"title":"Acknowledge"`, `"action":"queue_ack"`, `"value":"E-1 1h"`} {
		if !strings.Contains(s, want) {
			t.Errorf("card lacks %s:\n%s", want, s)
		}
	}
	if strings.Count(s, `"type":"ActionSet"`) != 1 {
		t.Errorf("want one ActionSet (E-2 has no buttons):\n%s", s)
	}
}
