package commands_test

import (
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// TestTimeSpan: a time span reads as the bot's-zone time with its zone in
// plain text, carries its instant for renderers, and cannot be forged.
func TestTimeSpan(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	s := "due " + commands.Time(at, commands.TimeDateTime, ny)
	if got := commands.PlainText(s); got != "due Mon 7 Dec 10:04 EST" {
		t.Errorf("PlainText = %q", got)
	}
	if got := commands.PlainText(commands.Time(at, commands.TimeClock, nil)); got != "15:04 UTC" {
		t.Errorf("clock PlainText = %q", got)
	}
	sp := commands.Spans(s)[1]
	if when, style, ok := sp.Time(); !ok || !when.Equal(at) || style != commands.TimeDateTime {
		t.Errorf("Span.Time = %v %c %v", when, style, ok)
	}
	for _, target := range []string{"", "12", "12:z", "-5:f", "1e9:f", "99999999999999:f"} {
		if _, _, ok := (commands.Span{Kind: commands.SpanTime, Target: target}).Time(); ok {
			t.Errorf("target %q accepted", target)
		}
	}
	if got := commands.Spans(commands.StripMarkers(s)); len(got) != 1 || got[0].Kind != commands.SpanText {
		t.Errorf("stripped markers still make spans: %+v", got)
	}
}
