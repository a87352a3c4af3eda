package teams

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// golden compares got, as indented JSON, with testdata/<test name>.golden.json.
func golden(t *testing.T, got any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", strings.ReplaceAll(t.Name(), "/", "_")+".golden.json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update): %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the rendering:\n%s", path, buf.String())
	}
}

var testDir = directory{
	People: map[string]person{
		"aad-dev":   {MentionID: "29:dev", Name: "Dev Lead"},
		"aad-maria": {Name: "Maria <script>"},
	},
	Channels: map[string]string{"19:it@thread.tacv2": "IT Ops"},
}

func escalationCard() commands.Response {
	return commands.Response{
		Visibility: commands.InChannel,
		Title:      "Escalation E-7: INC0012345",
		Text:       commands.Mention("aad-dev") + ", " + commands.Mention("aad-maria") + " escalated " + commands.Code("INC0012345") + " for " + commands.Bold("pos") + ".",
		Sections: []commands.Section{{
			Title: "Reason",
			Text:  "Tills down in <at>Dev Lead</at> store *now* [click](https://evil.example) & more",
			Fields: []commands.Field{
				{Label: "Outcome", Value: commands.Code("pos") + " Point of sale"},
				{Label: "Ticket", Value: commands.Link("https://itsm.example/INC0012345", "INC0012345")},
			},
		}, {
			Title:  "People",
			Fields: []commands.Field{{Label: "IT owner", Value: commands.Mention("aad-dev")}, {Label: "Channel", Value: commands.ChannelLink("19:it@thread.tacv2")}},
		}},
		Buttons: []commands.Button{
			{Label: "Acknowledge", Action: commands.ActionAck, Value: "E-7", Style: commands.StylePrimary},
			{Label: "Resolve", Action: commands.ActionResolve, Value: "E-7", Style: commands.StyleDanger},
		},
		Context: "Raised in " + commands.ChannelLink("19:unknown") + " · SLA 4h",
		Actors:  []string{"aad-dev", "aad-unknown"},
	}
}

func TestRenderEscalationCard(t *testing.T) {
	msgs := renderResponse(escalationCard(), testDir)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	golden(t, msgs)
}

func TestRenderTextReply(t *testing.T) {
	resp := commands.Response{
		Text:    "Tagged " + commands.Code("INC1") + " → " + commands.Bold("pos") + " by " + commands.Mention("aad-maria") + ". Note: <at>Dev Lead</at> @channel <b>x</b> & " + commands.Link("javascript:alert(1)", "bad link") + "\nline two",
		Context: "ref " + commands.Link("https://itsm.example/INC1", "INC1"),
	}
	golden(t, renderResponse(resp, testDir))
}

func TestRenderUnknownUserFallsBackToID(t *testing.T) {
	msgs := renderResponse(commands.Response{Text: "owner " + commands.Mention("aad-unknown")}, directory{})
	golden(t, msgs)
}

func TestRenderLargeDigestSplits(t *testing.T) {
	resp := commands.Response{Title: "Weekly digest", Text: "Headline numbers"}
	for i := range 60 {
		resp.Sections = append(resp.Sections, commands.Section{
			Title: fmt.Sprintf("outcome-%02d", i),
			Text:  strings.Repeat("Work item detail. ", 40),
			Fields: []commands.Field{
				{Label: "IT owner", Value: commands.Mention("aad-dev")},
				{Label: "Open", Value: fmt.Sprint(i)},
			},
		})
	}
	resp.Sections = append(resp.Sections, commands.Section{Title: "huge", Text: strings.Repeat("x<at>y</at> ", 6000)})
	resp.Buttons = []commands.Button{{Label: "Preview", Action: "digest", Value: "preview"}}
	resp.Context = "Generated for " + commands.ChannelLink("19:it@thread.tacv2")

	msgs := renderResponse(resp, testDir)
	if len(msgs) < 3 {
		t.Fatalf("got %d cards, want the digest split into several", len(msgs))
	}
	sections := 0
	for i, m := range msgs {
		c := m.Attachments[0].Content.(card)
		if n := len(marshalJSON(activityFor(m))); n > maxMessageBytes {
			t.Errorf("card %d: activity is %d bytes, over %d", i, n, maxMessageBytes)
		}
		if c.Version != "1.5" {
			t.Errorf("card %d: version %s", i, c.Version)
		}
		if (len(c.Actions) > 0) != (i == len(msgs)-1) {
			t.Errorf("card %d: actions %v; want them on the last card only", i, c.Actions)
		}
		for _, e := range c.Body {
			if e.Type == "Container" {
				sections++
			}
		}
		for _, ent := range c.MSTeams.Entities {
			if !strings.Contains(string(marshalJSON(c.Body)), ent.Text) {
				t.Errorf("card %d: entity %q not used in its body", i, ent.Text)
			}
		}
	}
	if sections != len(resp.Sections) {
		t.Errorf("rendered %d sections, want %d", sections, len(resp.Sections))
	}
}

// activityFor wraps a message in a realistic envelope, to measure it.
func activityFor(m message) outActivity {
	a := newOutActivity(m, convAddress{
		ConversationID: "19:" + strings.Repeat("a", 40) + "@thread.tacv2;messageid=1712345678901",
		BotID:          "28:" + strings.Repeat("b", 36), BotName: "outcomebot",
	})
	a.ReplyToID = "1712345678901"
	return a
}

func TestMarkdownEscapeNeutralisesMentions(t *testing.T) {
	for _, in := range []string{"<at>Dev Lead</at>", "<AT>x</AT>", "a<b>c", "[x](https://e)", "**bold**"} {
		out := markdownEscape(in)
		if strings.Contains(strings.ToLower(out), "<at>") || strings.Contains(out, "<b>") {
			t.Errorf("markdownEscape(%q) = %q still forms a tag", in, out)
		}
		if strings.Contains(out, "[x]") || strings.Contains(out, "**b") {
			t.Errorf("markdownEscape(%q) = %q still forms markdown", in, out)
		}
	}
}
