package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestOnlyTicketsAreTickets: /tag takes a ServiceNow number, a Jira key, a
// reference a ticket link pattern knows, or a link that names its number;
// trailing punctuation is dropped; any other word is refused and nothing
// is written.
func TestOnlyTicketsAreTickets(t *testing.T) {
	st := storetest.New(t)
	links, err := commands.ParseTicketLinks(`^SR\d+$=https://desk.example/{ref}`)
	if err != nil {
		t.Fatal(err)
	}
	b := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}, TicketLinks: links}, commandstest.NewClock(commandstest.Start), nil)
	run := func(line string) string {
		name, rest := commands.SplitCommand(commandstest.Inbound(line))
		return commandstest.Text(b.Core.Handle(context.Background(), commands.Request{Workspace: "T1", Channel: "C1", User: "UADMIN", Command: name, Text: rest, Time: commandstest.Start.Add(time.Minute)}))
	}
	run(`/outcome add pos "Point of sale"`)
	for line, want := range map[string]string{
		"/tag INC0012345. pos": "INC0012345",
		"/tag (OPS-12) pos":    "OPS-12",
		"/tag ops-13, pos":     "OPS-13",
		"/tag SR77 pos":        "SR77",
		"/tag https://acme.atlassian.net/browse/OPS-14. pos": "OPS-14",
	} {
		if got := run(line); !contains(got, want) || !contains(got, "→ pos") || contains(got, "doesn't look") {
			t.Errorf("%s: %q, want it tagged as %s", line, got, want)
		}
	}
	if r, err := st.GetRequest(context.Background(), "T1", "INC0012345"); err != nil || r.Outcome != "pos" {
		t.Errorf("INC0012345. was not stored as INC0012345: %+v %v", r, err)
	}
	before, _ := st.Audit(context.Background(), "T1", 1000)
	for _, word := range []string{"TILLS", "E-1", "a", "INC", "https://acme.service-now.com/incident.do?sys_id=9d385017c611228701d22104cc95c371"} {
		got := run("/tag " + word + " pos")
		want := "doesn't look like a ticket: expected e.g. INC0012345 or OPS-12"
		if strings.HasPrefix(word, "https:") {
			want = "That link names no ticket number"
		}
		if !contains(got, want) {
			t.Errorf("/tag %s pos: %q, want a refusal", word, got)
		}
	}
	if after, _ := st.Audit(context.Background(), "T1", 1000); len(after) != len(before) {
		t.Errorf("refused tags wrote %d audit entries", len(after)-len(before))
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
