package commandstest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// EnvStore is the store an Env runs on: the core's, and the audit stream
// its assertions read.
type EnvStore interface {
	Store
	Audit(ctx context.Context, ws string, count int64) ([]record.AuditEntry, error)
}

// Env is the whole core (root and leaves) on a store with a fake clock, for
// tests that drive it as users would. Tests run it on the real Redis store:
// env = Env[*store.Store], built with NewEnv(t, storetest.New(t)).
type Env[S EnvStore] struct {
	T *testing.T
	Bot
	St    S
	Clock *Clock
}

// Start is the time an Env's clock starts at: Monday 16 Nov 2026, 09:00 UTC.
var Start = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)

// NewEnv builds an Env on st: UADMIN is a configured admin, and INC/RITM
// tickets link to a ServiceNow instance.
func NewEnv[S EnvStore](t *testing.T, st S) *Env[S] {
	t.Helper()
	return NewEnvWith(t, st, nil)
}

// NewEnvWith is NewEnv with its configuration changed by edit first (nil:
// none), e.g. to set business hours.
func NewEnvWith[S EnvStore](t *testing.T, st S, edit func(*commands.Config)) *Env[S] {
	t.Helper()
	clock := NewClock(Start)
	links, err := commands.ParseTicketLinks(`^(INC|RITM)\d+$=https://acme.service-now.com/nav_to.do?uri=task.do?sysparm_query=number={ref}`)
	if err != nil {
		t.Fatal(err)
	}
	cfg := commands.Config{Admins: []string{"UADMIN"}, TicketLinks: links}
	if edit != nil {
		edit(&cfg)
	}
	return &Env[S]{T: t, Bot: NewBot(st, cfg, clock, nil), St: st, Clock: clock}
}

// Run sends one command line as user in channel of workspace ws, its
// mention shorthand translated as an adapter would (see Inbound).
func (e *Env[S]) Run(ws, user, channel, line string) commands.Response {
	e.T.Helper()
	name, rest := commands.SplitCommand(Inbound(line))
	return e.Core.Handle(context.Background(), commands.Request{Workspace: ws, Channel: channel, User: user, Command: name, Text: rest})
}

// Click presses a card button as user.
func (e *Env[S]) Click(ws, user, action, value string, src commands.MessageRef) commands.Response {
	e.T.Helper()
	return e.Core.Handle(context.Background(), commands.Request{Workspace: ws, Channel: src.Channel, User: user,
		Action: &commands.Action{Name: action, Value: value}, Source: src})
}

// Text flattens a response to plain text for assertions.
func Text(r commands.Response) string {
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

// Expect fails the test unless r's text contains every want.
func (e *Env[S]) Expect(r commands.Response, want ...string) {
	e.T.Helper()
	got := Text(r)
	for _, w := range want {
		if !strings.Contains(got, w) {
			e.T.Errorf("response does not contain %q:\n%s", w, got)
		}
	}
}

// AuditLen counts a workspace's audit entries: every state change adds one.
func (e *Env[S]) AuditLen(ws string) int {
	e.T.Helper()
	a, err := e.St.Audit(context.Background(), ws, 10000)
	if err != nil {
		e.T.Fatal(err)
	}
	return len(a)
}

// Seed defines an outcome with an IT lead and tags a ticket to it.
func (e *Env[S]) Seed(ws string) {
	e.T.Helper()
	for _, line := range []string{
		`/outcome add pos "Point of sale" kpi="in-store conversion" owner=<@UBIZ|biz> it=<@UIT|it> it-channel=<#CIT|it-pos>`,
		`/outcome grant <@UIT|it> it-lead`,
		`/tag INC0012345 pos`,
	} {
		r := e.Run(ws, "UADMIN", "CGEN", line)
		if strings.Contains(Text(r), "need") || strings.Contains(Text(r), "Usage") {
			e.T.Fatalf("seed %q: %s", line, Text(r))
		}
	}
}
