package slack

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// TestRenderTimeIsADateToken: a time in a card becomes Slack's date token,
// so each reader sees their own zone, with the bot's-zone text (naming the
// zone) as the fallback; user text that looks like a date token stays text.
func TestRenderTimeIsADateToken(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	forged := "<!date^0^{time}|x> and <!channel>"
	resp := commands.Response{Title: "E-7 · Point of sale", Text: "Raised at " + commands.Time(due, commands.TimeDateTime, london) + ": " + forged,
		Sections: []commands.Section{{Fields: []commands.Field{{Label: "Acknowledge", Value: "by " + commands.Time(due, commands.TimeDateTime, london)}}}}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Render(resp)); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	const token = "<!date^1796637600^{date_short_pretty} {time}|Mon 7 Dec 10:00 GMT>"
	if n := strings.Count(got, token); n < 2 {
		t.Errorf("want the date token %q in the text and the field, found %d:\n%s", token, n, got)
	}
	if strings.Contains(got, "<!date^0") || strings.Contains(got, "<!channel>") {
		t.Errorf("user text formed a control sequence:\n%s", got)
	}
	if !strings.Contains(got, "&lt;!date^0^{time}|x&gt;") {
		t.Errorf("user text is not shown escaped:\n%s", got)
	}
	// The text-only form: a clock time, and a span the core did not write.
	if got := mrkdwn(commands.Time(due, commands.TimeClock, nil)); got != "<!date^1796637600^{time}|10:00 UTC>" {
		t.Errorf("clock time = %q", got)
	}
	if got := renderSpan(commands.Span{Kind: commands.SpanTime, Target: "x>|<!here>", Text: "a <b>"}); got != "a &lt;b&gt;" {
		t.Errorf("a bad time span renders %q, want its text escaped", got)
	}
}

// TestHomeViewTimeIsADateToken: the App Home's times are date tokens too.
func TestHomeViewTimeIsADateToken(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	js, err := json.Marshal(homeView(commands.Response{Title: "outcomebot", Text: "as of " + commands.Time(at, commands.TimeDateTime, nil) + "."}))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	collectStrings(js, &texts)
	const want = "as of <!date^1796637600^{date_short_pretty} {time}|Mon 7 Dec 10:00 UTC>."
	for _, s := range texts {
		if s == want {
			return
		}
	}
	t.Errorf("no %q in the home view: %q", want, texts)
}
