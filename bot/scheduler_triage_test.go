package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/bot"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
)

// TestSchedulerTriage: the scheduler's tick also posts the week's triage of
// untagged requests, once across replicas, with a picker per request.
func TestSchedulerTriage(t *testing.T) {
	c := newCluster(t, 2, bot.SchedulerOptions{TriageCron: "0 10 * * MON"}, nil)
	core := c.cores[0]
	monday := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, line := range []string{
		`/outcome add pos "Point of sale" it=<@UIT|it> it-channel=<#CIT|it-pos>`,
		`/tag INC0000001 none`,
		`/tag INC0000002 pos`,
	} {
		name, rest := commands.SplitCommand(commandstest.Inbound(line))
		core.Handle(context.Background(), commands.Request{Workspace: "T1", Channel: "CGEN", User: "UADMIN", Command: name, Text: rest, Time: monday.Add(-48 * time.Hour)})
	}
	for _, at := range []time.Time{monday.Add(-time.Minute), monday, monday.Add(time.Minute)} {
		if err := c.tick(at); err != nil {
			t.Fatal(err)
		}
	}
	var pickers []string
	for _, p := range c.poster.Posts() {
		for _, s := range p.Message.Sections {
			if s.Picker != nil {
				pickers = append(pickers, p.To.Channel+" "+commands.PlainText(s.Text))
			}
		}
	}
	if len(pickers) != 1 {
		t.Fatalf("want one triage picker (for INC0000001 in CIT), got %d: %q", len(pickers), pickers)
	}
}
