// Package shell is the terminal adapter: the bot in a terminal, driven by
// typed or piped lines, with a simulated clock, for trying outcomebot without
// any chat platform.
package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/bot"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/escalation"
	"github.com/outcomebot/outcomebot/commands/triage"
	"github.com/outcomebot/outcomebot/store/record"
)

// Workspace is the workspace every shell session acts in.
const Workspace = "T0SHELL"

// Clock is the shell's simulated clock.
type Clock = commands.ManualClock

// NewClock starts a simulated clock at t.
func NewClock(t time.Time) *Clock { return commands.NewManualClock(t) }

// Options tune a Shell. Zero values take the defaults.
type Options struct {
	// TriageCron is the weekly triage's schedule, as for serve
	// (OUTCOMEBOT_TRIAGE_CRON); "" means the digest's.
	TriageCron string
	// Log receives the cadence's logs; default slog.Default().
	Log *slog.Logger
}

// Bot is what a shell drives: the core, the leaves the scheduler runs, and
// the store (for the meta-lines that read or grant directly).
type Bot struct {
	Core    *commands.Core
	Cadence *cadence.Cadence
	Triage  *triage.Triage
	Store   Store
}

// Store is what the shell's meta-lines read and write directly.
type Store interface {
	ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error)
	Grant(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error)
	GetEscalation(ctx context.Context, ws string, n int64) (record.Escalation, error)
}

// Shell runs commands typed as one user in one channel.
type Shell struct {
	core    *commands.Core
	store   Store
	clock   *Clock
	out     io.Writer
	user    string
	channel string
	prompt  bool
	quiet   bool
	poster  *poster
	sched   *bot.Scheduler
	demo    bool // LoadDemo ran
	form    *openForm
	seq     int // messages simulated with :message
}

// New builds a shell on b; clock must be the clock its core was built with.
func New(b Bot, clock *Clock, out io.Writer, opts Options) *Shell {
	s := &Shell{core: b.Core, store: b.Store, clock: clock, out: out, user: "admin", channel: "general"}
	s.poster = &poster{out: s.printf, picks: map[string]pickTarget{}}
	// :tick is one pass of the scheduler serve runs, so the shell sends
	// exactly what is due there: ladder steps, digests and the triage.
	// One worker keeps the transcript in a stable order.
	s.sched = bot.NewScheduler(b.Cadence, b.Triage, bot.OnePoster(s.poster), clock, bot.SchedulerOptions{
		Holder: "shell", Workers: 1, TriageCron: opts.TriageCron, Log: opts.Log,
	})
	return s
}

// Interactive turns the prompt on (for a terminal).
func (s *Shell) Interactive(on bool) { s.prompt = on }

func (s *Shell) printf(format string, args ...any) {
	if !s.quiet {
		fmt.Fprintf(s.out, format, args...)
	}
}

// Run reads lines until EOF or :quit.
func (s *Shell) Run(ctx context.Context, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if s.prompt {
			fmt.Fprintf(s.out, "%s in #%s, %s> ", s.user, s.channel, s.clock.Now().Format("Mon 2 Jan 15:04 MST"))
		}
		if !sc.Scan() {
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		if !s.prompt {
			s.printf("\n> %s\n", line)
		}
		if line == ":quit" || line == ":q" {
			return nil
		}
		s.Line(ctx, line)
	}
}

// Line runs one command or meta-line.
func (s *Shell) Line(ctx context.Context, line string) {
	if strings.HasPrefix(line, ":") {
		if err := s.meta(ctx, line); err != nil {
			fmt.Fprintf(s.out, "! %v\n", err) // even when quiet
		}
		return
	}
	if !strings.HasPrefix(line, "/") {
		s.printf("! commands start with / (try /outcome help); meta-lines with : (try :help)\n")
		return
	}
	name, rest := commands.SplitCommand(line)
	s.handle(ctx, commands.Request{Command: name, Text: mentions(rest)})
}

var (
	userRE    = regexp.MustCompile(`(^|[\s=,])@([\w.-]+)`)
	channelRE = regexp.MustCompile(`(^|[\s=,])#([A-Za-z][\w.-]*)`)
)

// mentions turns the shell's @user and #channel into the core's markup
// (the shell is an adapter: a user's name is their id), after removing any
// markup runes typed.
func mentions(s string) string {
	s = commands.StripMarkers(s)
	s = userRE.ReplaceAllStringFunc(s, func(m string) string {
		g := userRE.FindStringSubmatch(m)
		return g[1] + commands.UserMention(g[2], g[2])
	})
	return channelRE.ReplaceAllStringFunc(s, func(m string) string {
		g := channelRE.FindStringSubmatch(m)
		return g[1] + commands.ChannelMention(g[2], g[2])
	})
}

// handle sends req through the core as the current user, in the current
// channel unless req names one (a click happens where its message is), and
// prints the reply and what it posts.
func (s *Shell) handle(ctx context.Context, req commands.Request) {
	req.Workspace, req.User, req.UserName = Workspace, s.user, s.user
	if req.Channel == "" {
		req.Channel = s.channel
	}
	resp := s.core.Handle(ctx, req)
	vis := "only you see this"
	if resp.Visibility == commands.InChannel {
		vis = "in #" + req.Channel
	}
	if resp.Form != nil {
		s.printf("[only you see this]\n%s\n", Render(commands.Response{Text: resp.Text}))
		s.showForm(*resp.Form, req.Channel)
		return
	}
	if resp.Replace && req.Action != nil {
		s.poster.shown(req.Source, resp)
		s.printf("[card in #%s updated]\n%s\n", req.Source.Channel, Render(resp))
	} else {
		s.printf("[%s]\n%s\n", vis, Render(resp))
	}
	if err := s.core.Deliver(ctx, s.poster, resp.Outgoing); err != nil {
		fmt.Fprintf(s.out, "! %v\n", err) // even when quiet
	}
}

// metaHelp lists the meta-lines; every line fits 100 columns.
const metaHelp = `meta-lines:
  :as <user> [admin|it-lead]     act as that user (granting the role)
  :in <channel>                  switch channel
  :clock +2h | +1d12h            move the simulated clock forward
  :clock 2026-11-30T09:00 [Europe/Berlin]   set it
  :tick                          run what is due now, as serve's scheduler would: reminders and
                                 raises, digests, the weekly triage of untagged requests
  :click <E-n> ack|resolve       press a button on that escalation's card; note|assign open
                                 its Add note / Reassign form (then :submit)
  :message <author> <text…>      "Escalate this message" on a message by author: opens the form
  :submit <field>=<value> …      submit the open form (quote values with spaces)
  :pick                          list the requests the latest triage messages offer a menu for
  :pick <ticket> <outcome-key>   pick that outcome in the ticket's menu, as a click would
  :checkin <key> yes|archive     press that button on your latest weekly check-in
  :quiet on|off                  hide or show output
  :help                          this list
  :quit                          leave (so does end of input)`

func (s *Shell) meta(ctx context.Context, line string) error {
	f := strings.Fields(line)
	switch f[0] {
	case ":message":
		return s.message(ctx, strings.TrimPrefix(line, ":message"))
	case ":submit":
		return s.submit(ctx, strings.TrimPrefix(line, ":submit"))
	case ":help":
		s.printf("%s\n", metaHelp)
	case ":as":
		return s.as(ctx, f[1:])
	case ":in":
		if len(f) != 2 {
			return fmt.Errorf("usage: :in <channel>")
		}
		s.channel = strings.TrimPrefix(f[1], "#")
		s.printf("now in #%s\n", s.channel)
	case ":clock":
		return s.setClock(f[1:])
	case ":click":
		return s.click(ctx, f[1:])
	case ":tick":
		at := s.clock.Now()
		s.printf("[tick at %s]\n", at.Format("Mon 2 Jan 15:04 MST"))
		return s.sched.Tick(ctx, at)
	case ":pick":
		return s.pick(ctx, f[1:])
	case ":checkin":
		return s.checkIn(ctx, f[1:])
	case ":quiet":
		s.quiet = len(f) > 1 && f[1] == "on"
	default:
		return fmt.Errorf("unknown meta-line %s; try :help", f[0])
	}
	return nil
}

func (s *Shell) as(ctx context.Context, args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return fmt.Errorf("usage: :as <user> [admin|it-lead]")
	}
	user := strings.TrimPrefix(args[0], "@")
	if len(args) == 2 {
		role := args[1]
		if role != record.RoleAdmin && role != record.RoleITLead {
			return fmt.Errorf("no role %q: use admin or it-lead (still acting as @%s)", role, s.user)
		}
		if _, err := s.store.Grant(ctx, Workspace, user, role, "shell", s.clock.Now()); err != nil {
			return err
		}
	}
	s.user = user
	s.printf("now acting as @%s\n", s.user)
	return nil
}

func (s *Shell) setClock(args []string) error {
	if len(args) == 1 && strings.HasPrefix(args[0], "+") {
		d, err := parseOffset(args[0][1:])
		if err != nil {
			return fmt.Errorf("usage: :clock +2h (or +90m, +3d, +1d12h)")
		}
		s.clock.Set(s.clock.Now().Add(d))
	} else if len(args) == 1 || len(args) == 2 {
		loc := s.clock.Now().Location()
		if len(args) == 2 {
			l, err := time.LoadLocation(args[1])
			if err != nil {
				return fmt.Errorf("unknown time zone %q", args[1])
			}
			loc = l
		}
		t, note, err := localClock(args[0], loc)
		if err != nil {
			return err
		}
		s.clock.Set(t)
		if note != "" {
			s.printf("%s\n", note)
		}
	} else {
		return fmt.Errorf("usage: :clock +2h | :clock 2026-11-30T09:00 [Area/City]")
	}
	s.printf("clock: %s\n", s.clock.Now().Format("Mon 2 Jan 2006 15:04 MST"))
	return nil
}

// parseOffset reads a forward offset: a Go duration, optionally led by
// whole days ("3d", "1d12h", "90m").
func parseOffset(v string) (time.Duration, error) {
	var days time.Duration
	if i := strings.IndexByte(v, 'd'); i > 0 {
		n, err := strconv.Atoi(v[:i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad day count in %q", v)
		}
		days, v = time.Duration(n)*24*time.Hour, v[i+1:]
		if v == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad offset %q", v)
	}
	return days + d, nil
}

// cardActions are the card buttons :click presses, by the word typed: the
// card's forms open as the shell's form lines (:submit sends them).
var cardActions = map[string]string{
	"ack":     commands.ActionAck,
	"resolve": commands.ActionResolve,
	"note":    commands.FormButton("", escalation.FormNote, "").Action,
	"assign":  commands.FormButton("", escalation.FormAssign, "").Action,
}

const usageClick = "usage: :click <E-n> ack|resolve|note|assign"

func (s *Shell) click(ctx context.Context, args []string) error {
	if len(args) != 2 || cardActions[args[1]] == "" {
		return errors.New(usageClick)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(args[0]), "E-"), 10, 64)
	if err != nil {
		return errors.New(usageClick)
	}
	e, err := s.store.GetEscalation(ctx, Workspace, n)
	if err != nil {
		return fmt.Errorf("E-%d: %w", n, err)
	}
	if e.CardID == "" {
		return fmt.Errorf("E-%d has no card to click", n)
	}
	src := commands.MessageRef{Channel: e.CardChannel, ID: e.CardID}
	s.handle(ctx, commands.Request{Channel: src.Channel, Action: &commands.Action{Name: cardActions[args[1]], Value: fmt.Sprintf("E-%d", n)}, Source: src})
	return nil
}
