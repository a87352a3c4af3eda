package teams

import (
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// TestRenderTimeUsesCardDateFunctions: a time in a card becomes the card's
// DATE and TIME functions (each reader's zone and locale), in a TextBlock
// even inside fields; user text that spells such a function stays text;
// message text shows the bot's-zone time with its zone.
func TestRenderTimeUsesCardDateFunctions(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	forged := "{{DATE(2000-01-01T00:00:00Z, SHORT)}}"
	card := commands.Response{Visibility: commands.InChannel, Title: "E-7 · Point of sale", Text: "Reason: " + forged,
		Sections: []commands.Section{{Fields: []commands.Field{{Label: "Acknowledge", Value: "by " + commands.Time(due, commands.TimeDateTime, london)}}}},
		Buttons:  []commands.Button{{Label: "Acknowledge", Action: commands.ActionAck, Value: "E-7"}}}
	got := string(marshalJSON(renderResponse(card, testDir)))
	const fn = "{{DATE(2026-12-07T10:00:00Z, SHORT)}} {{TIME(2026-12-07T10:00:00Z)}}"
	if !strings.Contains(got, fn) {
		t.Errorf("want %q in the card:\n%s", fn, got)
	}
	if !strings.Contains(got, `"type":"TextBlock","text":"**Acknowledge:** by `+fn) {
		t.Errorf("the time field is not a TextBlock (date functions work only there):\n%s", got)
	}
	if strings.Contains(got, `"text":"Reason: {{DATE(2000`) {
		t.Errorf("user text formed a date function:\n%s", got)
	}

	text := string(marshalJSON(renderResponse(commands.Response{Text: "Snoozed until " + commands.Time(due, commands.TimeDateTime, london)}, testDir)))
	if !strings.Contains(text, "Snoozed until Mon 7 Dec 10:00 GMT") {
		t.Errorf("message text should name the time in the bot's zone:\n%s", text)
	}
	if got := cardTime(commands.Span{Kind: commands.SpanTime, Target: "1)}} {{x", Text: "a *b*"}); got != `a \*b\*` {
		t.Errorf("a bad time span renders %q, want its text escaped", got)
	}
}
