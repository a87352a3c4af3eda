package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares v, as indented JSON, with testdata/<name>.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", strings.ReplaceAll(name, "/", "_")+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n%s", path, got)
	}
}

// hostile is user text that would notify people if it were not escaped.
const hostile = "ping <!channel> <!here> <!everyone> <@U0VICTIM> <!subteam^S1> & <https://evil.example|click> > done"

func escalationCard(reason string) commands.Response {
	return commands.Response{
		Title: "Escalation E-7: " + reason,
		Text: commands.Mention("UIT") + ": " + commands.Code("INC0012345") + " is blocked — " + reason +
			"\n" + commands.Link("https://tickets.example/INC0012345?a=1&b=2", "INC0012345"),
		Sections: []commands.Section{{
			Title: "Details",
			Fields: []commands.Field{
				{Label: "Outcome", Value: commands.Code("pos") + " Point of sale"},
				{Label: "Raised by", Value: commands.Mention("UREQ") + " in " + commands.ChannelLink("CSTORE")},
				{Label: "Reason", Value: reason},
			},
		}},
		Buttons: []commands.Button{
			{Label: "Acknowledge", Action: commands.ActionAck, Value: "E-7", Style: commands.StylePrimary},
			{Label: "Resolve", Action: commands.ActionResolve, Value: "E-7", Style: commands.StyleDanger},
		},
		Context: "Raised 2026-11-25 10:42 · SLA 4h",
	}
}

func TestRender(t *testing.T) {
	longText := strings.Repeat("Line of digest detail with a ticket INC0012345 & more.\n", 300)
	var manySections []commands.Section
	for i := range 80 {
		manySections = append(manySections, commands.Section{
			Title:  "Outcome " + strings.Repeat("x", i%7),
			Text:   strings.Repeat("open requests and escalations. ", 12),
			Fields: []commands.Field{{Label: "KPI", Value: "conversion"}, {Label: "IT owner", Value: commands.Mention("UIT")}},
		})
	}
	cases := []struct {
		name string
		resp commands.Response
	}{
		{"TextOnly", commands.Response{Text: "Tagged " + commands.Code("INC0012345") + " → " + commands.Code("pos")}},
		{"EscalationCard", escalationCard("POS terminals offline in store 12")},
		{"Acknowledged", commands.Response{Replace: true, Title: "Escalation E-7", Text: "Acknowledged by " + commands.Mention("UIT") + " at 10:42, waited 1h 12m"}},
		{"Hostile", escalationCard(hostile)},
		{"LongText", commands.Response{Title: strings.Repeat("Very long title ", 20), Text: longText}},
		{"ManySections", commands.Response{Title: "Weekly digest", Text: "Lead numbers", Sections: manySections,
			Buttons: []commands.Button{{Label: strings.Repeat("Open the full digest ", 6), Action: "open", Value: "d"}}, Context: "week 48"}},
		{"Thread", commands.Response{Text: "Digest for #leadership", Thread: []commands.Response{{Text: "Detail one"}, {Title: "Detail two", Text: "more"}}}},
		{"Empty", commands.Response{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msgs := Render(c.resp)
			checkLimits(t, msgs)
			checkNoInjectedMarkup(t, msgs)
			golden(t, t.Name(), msgs)
		})
	}
}

func TestRenderSplitsLongContentIntoThreadMessages(t *testing.T) {
	var sections []commands.Section
	for range 80 {
		sections = append(sections, commands.Section{Text: strings.Repeat("a", 500)})
	}
	msgs := Render(commands.Response{Title: "Digest", Text: "lead", Sections: sections,
		Buttons: []commands.Button{{Label: "Ack", Action: "ack", Value: "E-1"}}})
	if len(msgs) < 2 {
		t.Fatalf("got %d messages, want the content split", len(msgs))
	}
	checkLimits(t, msgs)
	var sectionsSeen int
	for i, m := range msgs {
		for _, b := range m.Blocks {
			switch b := b.(type) {
			case *slack.SectionBlock:
				if b.Text != nil && strings.HasPrefix(b.Text.Text, "aaa") {
					sectionsSeen++
				}
			case *slack.ActionBlock:
				if i != 0 {
					t.Errorf("buttons in message %d, want them on the first", i)
				}
			}
		}
	}
	if sectionsSeen != 80 {
		t.Fatalf("saw %d of 80 sections across messages", sectionsSeen)
	}
}

func TestRenderEscapesUserTextEverywhere(t *testing.T) {
	resp := escalationCard(hostile)
	resp.Buttons[0].Label = hostile
	resp.Context = hostile
	resp.Sections = append(resp.Sections, commands.Section{Title: hostile, Text: hostile})
	resp.Thread = []commands.Response{{Text: hostile}}
	for _, m := range Render(resp) {
		if strings.Contains(m.Text, "<!") || strings.Contains(m.Text, "<@U0VICTIM") {
			t.Errorf("fallback text not escaped: %q", m.Text)
		}
		if !strings.Contains(m.Text, "&lt;!channel&gt;") && strings.Contains(m.Text, "channel") {
			t.Errorf("fallback text lost the escaped mention: %q", m.Text)
		}
	}
	checkNoInjectedMarkup(t, Render(resp))
}

func TestMrkdwnMarkupOnlyFromSpans(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a < b & c > d", "a &lt; b &amp; c &gt; d"},
		{"<!channel>", "&lt;!channel&gt;"},
		{commands.Mention("U123"), "<@U123>"},
		{commands.Mention("U1><!channel"), "@U1&gt;&lt;!channel"},
		{commands.ChannelLink("C9"), "<#C9>"},
		{commands.Link("https://x.example/a?b=1&c=<2>|", "la<b>el"), "<https://x.example/a?b=1&amp;c=%3C2%3E%7C|la&lt;b&gt;el>"},
		{commands.Link("javascript:alert(1)", "x"), "x (javascript:alert(1))"},
		{commands.Bold("E-7"), "*E-7*"},
		{commands.Code("a`b<c"), "`a'b&lt;c`"},
	}
	for _, c := range cases {
		if got := mrkdwn(c.in); got != c.want {
			t.Errorf("mrkdwn(%q) = %q, want %q", commands.PlainText(c.in), got, c.want)
		}
	}
}

func TestChunkMrkdwnNeverSplitsEntitiesOrSequences(t *testing.T) {
	text := strings.Repeat("&<>"+commands.Mention("UABC")+" x", 400)
	for _, max := range []int{16, 23, 50, 3000} {
		chunks := chunkMrkdwn(text, max)
		var all strings.Builder
		for _, c := range chunks {
			if slackLen(c) > max {
				t.Fatalf("max %d: chunk of %d", max, slackLen(c))
			}
			if strings.Count(c, "<") != strings.Count(c, ">") {
				t.Fatalf("max %d: split sequence in %q", max, c)
			}
			if n := strings.LastIndexByte(c, '&'); n >= 0 && !strings.Contains(c[n:], ";") {
				t.Fatalf("max %d: split entity in %q", max, c)
			}
			all.WriteString(c)
		}
		if got := strings.Count(all.String(), "<@UABC>"); got != 400 {
			t.Fatalf("max %d: %d mentions kept, want 400", max, got)
		}
	}
}

// checkLimits fails if any message breaks Slack's limits.
func checkLimits(t *testing.T, msgs []Message) {
	t.Helper()
	for i, m := range msgs {
		if m.Text == "" || slackLen(m.Text) > maxFallbackText {
			t.Errorf("message %d: fallback text of %d units", i, slackLen(m.Text))
		}
		if len(m.Blocks) > maxBlocks {
			t.Errorf("message %d: %d blocks", i, len(m.Blocks))
		}
		total := 0
		for _, b := range m.Blocks {
			switch b := b.(type) {
			case *slack.HeaderBlock:
				total += limit(t, i, "header", b.Text, maxHeaderText)
			case *slack.SectionBlock:
				total += limit(t, i, "section", b.Text, maxSectionText)
				if len(b.Fields) > maxFields {
					t.Errorf("message %d: %d fields", i, len(b.Fields))
				}
				for _, f := range b.Fields {
					total += limit(t, i, "field", f, maxFieldText)
				}
			case *slack.ActionBlock:
				if len(b.Elements.ElementSet) > maxButtonsBlock {
					t.Errorf("message %d: %d buttons", i, len(b.Elements.ElementSet))
				}
				for _, e := range b.Elements.ElementSet {
					total += limit(t, i, "button", e.(*slack.ButtonBlockElement).Text, maxButtonText)
				}
			case *slack.ContextBlock:
				for _, e := range b.ContextElements.Elements {
					total += limit(t, i, "context", e.(*slack.TextBlockObject), maxContextText)
				}
			}
		}
		if total > maxMessageText {
			t.Errorf("message %d: %d units of text in all", i, total)
		}
	}
}

func limit(t *testing.T, i int, what string, o *slack.TextBlockObject, max int) int {
	t.Helper()
	if o == nil {
		return 0
	}
	if n := slackLen(o.Text); n > max || n == 0 {
		t.Errorf("message %d: %s text of %d units (limit %d)", i, what, n, max)
	}
	if o.Type == slack.MarkdownType && !o.Verbatim {
		t.Errorf("message %d: %s mrkdwn without verbatim", i, what)
	}
	return slackLen(o.Text)
}

// markupSeq finds every Slack control sequence in rendered text.
var markupSeq = regexp.MustCompile(`<[^<>]*>`)

// checkNoInjectedMarkup fails if any rendered text holds a control sequence
// other than those the test responses put in as markup.
func checkNoInjectedMarkup(t *testing.T, msgs []Message) {
	t.Helper()
	allowed := map[string]bool{"<@UIT>": true, "<@UREQ>": true, "<#CSTORE>": true,
		"<https://tickets.example/INC0012345?a=1&amp;b=2|INC0012345>": true}
	js, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	collectStrings(js, &texts)
	for _, s := range texts {
		for _, seq := range markupSeq.FindAllString(s, -1) {
			if !allowed[seq] {
				t.Errorf("control sequence %q in %q", seq, s)
			}
		}
	}
}

// collectStrings gathers every string value of a JSON document.
func collectStrings(js []byte, out *[]string) {
	var v any
	_ = json.Unmarshal(js, &v)
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			*out = append(*out, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
}
