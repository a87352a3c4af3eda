package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/digest"
)

// TestBigDigestFitsFourSlackMessages: the digest of a workspace with 200
// outcomes, with every person's name resolved to the longest name shown,
// renders as the lead and at most three thread messages, each within 50
// blocks and 3,000 characters a section, with no mention.
func TestBigDigestFitsFourSlackMessages(t *testing.T) {
	now := time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)
	resp := digest.Build(digest.Input{Data: commandstest.SyntheticDigestData(now, 200, 5000, 400, 600), Now: now, DefaultSLA: 4 * time.Hour})
	long := strings.Repeat("Ü", commands.MaxNameRunes-2) + "😀"
	resp = mapText(resp, func(s string) string { return commands.WithNames(s, func(string) string { return long }) })
	msgs := Render(resp)
	if len(msgs) > 4 {
		t.Fatalf("rendered as %d Slack messages, want the lead and at most 3 in its thread", len(msgs))
	}
	for i, m := range msgs {
		if len(m.Blocks) > 50 {
			t.Errorf("message %d: %d blocks", i, len(m.Blocks))
		}
		js, err := json.Marshal(m.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(js), "<@") || !strings.Contains(string(js), "ÜÜÜ") {
			t.Errorf("message %d mentions someone, or names nobody", i)
		}
		var blocks []map[string]any
		if err := json.Unmarshal(js, &blocks); err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if b["type"] == "section" && b["text"] != nil {
				text, _ := textField(b["text"]).(string)
				if n := slackLen(text); n > 3000 {
					t.Errorf("message %d: section of %d characters", i, n)
				}
			}
		}
	}
}
