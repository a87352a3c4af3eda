package shell

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
)

//go:embed demo.txt
var demoScript string

const demoIntro = `Harbour & Pine, a regional retail chain of 40 stores, runs outcomebot.
Loaded: 4 outcomes (omnichannel POS tied to in-store conversion, store network
maintenance and uptime, click & collect, and a month-end close that got no IT
work at all), requests tagged, re-tagged and never tagged over two weeks, and
escalations acknowledged in 20 minutes, after 7 hours, and never.
Below is what outcomebot posts at Monday 09:00 (Europe/London): the digest in
#leadership, then the week's untagged requests in #it-triage for IT to tie
each to its outcome.
`

// Demo loads the retail-chain scenario through sh and prints the
// leadership digest and the triage it produces.
func Demo(ctx context.Context, sh *Shell) error {
	fmt.Fprint(sh.out, demoIntro)
	return sh.script(ctx, demoScript, false)
}

// LoadDemo loads the scenario Demo shows into an empty store, printing
// nothing, and leaves the shell at its Monday 09:00, after the digest and
// the triage went out (their menus ready for :pick), acting as @admin in
// #general. It refuses a store whose shell workspace has outcomes already.
func (s *Shell) LoadDemo(ctx context.Context) error {
	outcomes, err := s.store.ListOutcomes(ctx, Workspace)
	if err != nil {
		return fmt.Errorf("load the demo: %w", err)
	}
	if len(outcomes) > 0 {
		return fmt.Errorf("load the demo: the shell's workspace %s already has %d outcomes; the demo needs an empty store (run without REDIS_URL)", Workspace, len(outcomes))
	}
	if err := s.script(ctx, demoScript, true); err != nil {
		return err
	}
	s.user, s.channel, s.demo = "admin", "general", true
	return nil
}

// script runs the lines of a script, skipping blank lines and // comments;
// quiet hides all of its output (its :quiet lines then do nothing).
func (s *Shell) script(ctx context.Context, script string, quiet bool) error {
	defer func(q bool) { s.quiet = q }(s.quiet)
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") || (quiet && strings.HasPrefix(line, ":quiet")) {
			continue
		}
		if quiet {
			s.quiet = true
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		s.Line(ctx, line)
	}
	return nil
}

// Greeting is what an interactive session opens with: who and where you
// are, and how to start. After LoadDemo it says what is loaded and what to
// try; on a workspace with no outcomes it says how to add one (a first
// /tag would only answer that there are none) or to start with --demo.
func (s *Shell) Greeting(ctx context.Context) string {
	var b strings.Builder
	fmt.Fprintf(&b, "outcomebot shell: you are @%s in #%s; the simulated clock says %s.\n",
		s.user, s.channel, s.clock.Now().Format("Mon 2 Jan 2006 15:04 MST"))
	b.WriteString("Type /outcome help for commands, :help for meta-lines, :quit to leave.\n")
	switch outcomes, err := s.store.ListOutcomes(ctx, Workspace); {
	case s.demo:
		b.WriteString(demoGreeting)
	case err == nil && len(outcomes) == 0:
		b.WriteString(emptyGreeting)
	}
	return b.String()
}

const demoGreeting = `Loaded the demo: Harbour & Pine, a retail chain, on the Monday morning its digest went
to #leadership and its untagged requests to #it-triage. Try:
  /tag INC0010042 click-collect locker doors stuck at Bath
  /outcome list
  :pick               (the triage's menus; then :pick REQ0030007 infra-uptime)
  :in leadership  then  /digest preview
`

const emptyGreeting = `No outcomes yet, so /tag has nothing to tie work to. Add one first:
  /outcome add pos-conversion "Omnichannel POS lifts in-store conversion" it=@raj it-channel=#it-pos
or start again with outcomebot shell --demo to try it on a retail chain's data.
`
