package outcome_test

import (
	"context"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestUnknownITOwnerWarns: naming an IT owner the bot has never seen
// succeeds with a warning; once that person has used the bot (or holds a
// role), naming them again warns no more.
func TestUnknownITOwnerWarns(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	const warn = "has never used outcomebot here: check it is the right person"
	r := e.Run("T1", "UADMIN", "CGEN", "/outcome set pos it=<@UNEW|new>")
	e.Expect(r, "Outcome pos updated (it).", "@UNEW "+warn)
	if o, err := e.St.GetOutcome(context.Background(), "T1", "pos"); err != nil || o.ITOwner != "UNEW" {
		t.Fatalf("the warning undid the change: %+v, %v", o, err)
	}
	r = e.Run("T1", "UADMIN", "CGEN", `/outcome add pay "Payments" it=<@UOTHER|other>`)
	e.Expect(r, "Outcome pay added", "@UOTHER "+warn)

	e.Run("T1", "UNEW", "CGEN", "/outcome whoami") // UNEW uses the bot
	if got := commandstest.Text(e.Run("T1", "UADMIN", "CGEN", "/outcome set pos it=<@UNEW|new>")); strings.Contains(got, warn) {
		t.Errorf("a user who ran a command is still unknown:\n%s", got)
	}
	// A role holder, a configured admin and a cleared owner are no strangers.
	for _, line := range []string{"/outcome set pos it=<@UIT|it>", "/outcome set pos it=<@UADMIN|admin>", "/outcome set pos it=none", "/outcome set pos sla=2h"} {
		if got := commandstest.Text(e.Run("T1", "UADMIN", "CGEN", line)); strings.Contains(got, warn) {
			t.Errorf("%s warned:\n%s", line, got)
		}
	}
	// Seen in one workspace is not seen in another.
	e.Seed("T2")
	e.Expect(e.Run("T2", "UADMIN", "CGEN", "/outcome set pos it=<@UNEW|new>"), warn)
}

// TestRevokeLeavingNobodyWarns: revoking the last it-lead or admin while
// an outcome without an IT owner has open escalations names that outcome;
// an outcome with an IT owner, or an escalation with an assignee, is not
// stranded.
func TestRevokeLeavingNobodyWarns(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	clock := commandstest.NewClock(commandstest.Start)
	bot := commandstest.NewBot(st, commands.Config{}, clock, nil) // no configured admin
	run := func(user, line string) string {
		t.Helper()
		name, rest := commands.SplitCommand(commandstest.Inbound(line))
		return commandstest.Text(bot.Core.Handle(ctx, commands.Request{Workspace: "T1", Channel: "CGEN", User: user, Command: name, Text: rest}))
	}
	if _, err := st.Grant(ctx, "T1", "UA", "admin", "setup", clock.Now()); err != nil {
		t.Fatal(err)
	}
	run("UA", `/outcome add pos "Point of sale"`)
	run("UA", `/outcome add pay "Payments" it=<@UA|a>`)
	run("UA", `/outcome grant <@UL|l> it-lead`)
	for _, line := range []string{"/escalate outcome=pos tills down", "/escalate outcome=pay refunds stuck"} {
		if got := run("UBIZ", line); !strings.Contains(got, "raised") {
			t.Fatalf("%s: %s", line, got)
		}
	}
	const nobody = "Nobody is left who can act on the open escalations of"
	if got := run("UA", "/outcome revoke <@UL|l> it-lead"); !strings.Contains(got, "no longer has the it-lead role") || strings.Contains(got, nobody) {
		t.Errorf("revoke with an admin left:\n%s", got)
	}
	got := run("UA", "/outcome revoke <@UA|a> admin")
	if !strings.Contains(got, "no longer has the admin role") || !strings.Contains(got, nobody+" pos:") || strings.Contains(got, "pay") {
		t.Errorf("revoking the last admin should name pos (pay has an IT owner):\n%s", got)
	}
	if !strings.Contains(got, "/outcome grant @user it-lead") || !strings.Contains(got, "/outcome set pos it=@user") {
		t.Errorf("the warning does not say how to fix it:\n%s", got)
	}
}

// TestRefusalNamesTheRealCommand: a refusal names the grant command with
// the caller's own name, never a placeholder.
func TestRefusalNamesTheRealCommand(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	r := e.Core.Handle(context.Background(), commands.Request{Workspace: "T1", Channel: "CGEN", User: "URAJ", UserName: "raj", Command: "outcome", Text: "set pos sla=2h"})
	e.Expect(r, "You need the admin role to change outcomes", "/outcome grant @raj admin")
	if strings.Contains(commandstest.Text(r), "@you") {
		t.Errorf("refusal names a placeholder: %s", commandstest.Text(r))
	}
	r = e.Core.Handle(context.Background(), commands.Request{Workspace: "T1", Channel: "CGEN", User: "URAJ", UserName: "raj", Command: "ack", Text: "E-1"})
	e.Expect(r, "/outcome grant @raj it-lead")
}
