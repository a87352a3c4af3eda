package commands_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// env is a core on a private Redis prefix with a fake clock.
type env struct {
	t     *testing.T
	core  *commands.Core
	st    *store.Store
	clock *commandstest.Clock
}

var start = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	st := storetest.New(t)
	clock := commandstest.NewClock(start)
	links, err := commands.ParseTicketLinks(`^(INC|RITM)\d+$=https://acme.service-now.com/nav_to.do?uri=task.do?sysparm_query=number={ref}`)
	if err != nil {
		t.Fatal(err)
	}
	core := commands.New(st, commands.Config{Admins: []string{"UADMIN"}, TicketLinks: links}, clock, nil)
	return &env{t: t, core: core, st: st, clock: clock}
}

// run sends one command line as user in channel of workspace ws.
func (e *env) run(ws, user, channel, line string) commands.Response {
	e.t.Helper()
	name, rest := commands.SplitCommand(line)
	return e.core.Handle(context.Background(), commands.Request{Workspace: ws, Channel: channel, User: user, Command: name, Text: rest})
}

// click presses a card button as user.
func (e *env) click(ws, user, action, value string, src commands.MessageRef) commands.Response {
	e.t.Helper()
	return e.core.Handle(context.Background(), commands.Request{Workspace: ws, Channel: src.Channel, User: user,
		Action: &commands.Action{Name: action, Value: value}, Source: src})
}

// text flattens a response to plain text for assertions.
func text(r commands.Response) string {
	var b strings.Builder
	b.WriteString(r.Title + "\n" + commands.PlainText(r.Text) + "\n")
	for _, s := range r.Sections {
		b.WriteString(s.Title + "\n" + commands.PlainText(s.Text) + "\n")
		for _, f := range s.Fields {
			b.WriteString(f.Label + ": " + commands.PlainText(f.Value) + "\n")
		}
	}
	b.WriteString(commands.PlainText(r.Context))
	return b.String()
}

func (e *env) expect(r commands.Response, want ...string) {
	e.t.Helper()
	got := text(r)
	for _, w := range want {
		if !strings.Contains(got, w) {
			e.t.Errorf("response does not contain %q:\n%s", w, got)
		}
	}
}

// auditLen counts a workspace's audit entries: every state change adds one.
func (e *env) auditLen(ws string) int {
	e.t.Helper()
	a, err := e.st.Audit(context.Background(), ws, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(a)
}

// seed defines an outcome with an IT lead and tags a ticket to it.
func (e *env) seed(ws string) {
	e.t.Helper()
	for _, line := range []string{
		`/outcome add pos "Point of sale" kpi="in-store conversion" owner=<@UBIZ|biz> it=<@UIT|it> it-channel=<#CIT|it-pos>`,
		`/outcome grant <@UIT|it> it-lead`,
		`/tag INC0012345 pos`,
	} {
		r := e.run(ws, "UADMIN", "CGEN", line)
		if strings.Contains(text(r), "need") || strings.Contains(text(r), "Usage") {
			e.t.Fatalf("seed %q: %s", line, text(r))
		}
	}
}
