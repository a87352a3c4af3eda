package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// This file is the command line's help: the list of commands, and each
// command's own page (what it does, its flags with defaults, the settings
// it reads, an example), printed by `outcomebot help <command>` and by
// `outcomebot <command> -h`. Every line fits helpWidth columns.

// helpWidth is the widest line any help text may have.
const helpWidth = 100

// usageError is a command line that cannot run as written (an unknown
// command or flag): main exits 2 for it, 1 for any other failure.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitCode is the process's exit status for run's error: 0 for none, 2 for
// a usage error, 1 otherwise.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// settingGroup names a family of settings, so each command's help lists
// only the settings it reads.
type settingGroup int

const (
	groupRedis     settingGroup = iota // where state lives
	groupBot                           // how the bot behaves, whatever runs it
	groupServe                         // the HTTP server and its housekeeping
	groupPlatforms                     // Slack and Teams credentials
	groupTeamsApp                      // the Teams app id alone (teams-package)
)

// groupOf returns the group of the setting read from env. The lists are
// explicit so that a new setting has to be placed (a test checks that each
// one is).
func groupOf(env string) (settingGroup, bool) {
	switch {
	case strings.HasPrefix(env, "REDIS_"):
		return groupRedis, true
	case strings.HasPrefix(env, "SLACK_"), strings.HasPrefix(env, "MICROSOFT_"),
		strings.HasPrefix(env, "TEAMS_"), env == "OUTCOMEBOT_SECRET_KEY":
		return groupPlatforms, true
	}
	switch env {
	case "OUTCOMEBOT_ADMINS", "OUTCOMEBOT_TICKET_LINKS", "OUTCOMEBOT_ACK_SLA", "OUTCOMEBOT_DIGEST_CRON",
		"OUTCOMEBOT_TRIAGE_CRON", "OUTCOMEBOT_TZ", "OUTCOMEBOT_LOG_LEVEL",
		"OUTCOMEBOT_BUSINESS_HOURS", "OUTCOMEBOT_HOLIDAYS":
		return groupBot, true
	case "OUTCOMEBOT_ADDR", "OUTCOMEBOT_SHUTDOWN_TIMEOUT", "OUTCOMEBOT_DRAIN_DELAY",
		"OUTCOMEBOT_RETENTION", "OUTCOMEBOT_INTAKE_TOKENS":
		return groupServe, true
	}
	return 0, false
}

// flagDoc documents one flag a command parses itself.
type flagDoc struct{ name, arg, def, help string }

// commandHelp is one command's help page.
type commandHelp struct {
	name    string
	summary string // one line in the list of commands
	// about is the synopsis ("Usage: …") and what the command does.
	about string
	// flags lists the command's own flags; nil when it has none.
	flags func() []flagDoc
	// settings are the setting groups it reads.
	settings []settingGroup
	example  string
}

// commandHelps lists every command, in the order `outcomebot help` shows them.
var commandHelps = []commandHelp{
	{name: "serve", summary: "run the bot for Slack and/or Teams: one HTTP server, with the scheduler",
		about: serveUsage, settings: []settingGroup{groupRedis, groupBot, groupServe, groupPlatforms},
		example: "REDIS_URL=redis://redis:6379/0 SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=xoxb-… outcomebot serve"},
	{name: "shell", summary: "the bot in a terminal: type /commands, switch users, move a simulated clock",
		about: shellUsage, flags: shellFlagDocs, settings: []settingGroup{groupRedis, groupBot},
		example: "outcomebot shell --demo\n  outcomebot shell < bot/shell/testdata/session.txt"},
	{name: "demo", summary: "load a retail chain's two weeks and print its digest and triage",
		about: demoUsage, settings: []settingGroup{groupRedis, groupBot},
		example: "outcomebot demo | less"},
	{name: "import", summary: "bring a CSV of requests into a workspace",
		about: importUsage, flags: importFlagDocs, settings: []settingGroup{groupRedis, groupBot},
		example: "REDIS_URL=redis://redis:6379/0 outcomebot import --workspace T0123 --dry-run tickets.csv"},
	{name: "export", summary: "write a workspace's requests as CSV",
		about: exportUsage, flags: exportFlagDocs, settings: []settingGroup{groupRedis, groupBot},
		example: "REDIS_URL=redis://redis:6379/0 outcomebot export --workspace T0123 --output requests.csv"},
	{name: "digest", summary: "print a channel's digest now, or --post it",
		about: digestUsage, flags: digestFlagDocs, settings: []settingGroup{groupRedis, groupBot, groupPlatforms},
		example: "REDIS_URL=redis://redis:6379/0 outcomebot digest --channel C0LEADS --workspace T0123"},
	{name: "teams-package", summary: "write the Teams app zip (app id from MICROSOFT_APP_ID) to stdout",
		about: teamsPackageUsage, settings: []settingGroup{groupTeamsApp},
		example: "MICROSOFT_APP_ID=00000000-0000-0000-0000-000000000000 outcomebot teams-package > app.zip"},
	{name: "version", summary: "print the version", about: "Usage: outcomebot version\n\nPrints the version of this build.\n",
		example: "outcomebot version"},
	{name: "help", summary: "list the commands, or show one: outcomebot help <command>",
		about:   "Usage: outcomebot help [command]\n\nLists the commands, or prints one command's help (the same as outcomebot <command> -h).\n",
		example: "outcomebot help import"},
}

const serveUsage = `Usage: outcomebot serve [flags]

Runs the bot: one HTTP server (OUTCOMEBOT_ADDR) for Slack (/slack/commands, /slack/interactions,
/slack/events, /slack/install; or Socket Mode when SLACK_APP_TOKEN is set) and Teams
(/api/messages), with the scheduler that sends reminders, digests and the weekly triage, and
/healthz, /readyz and /metrics. Slack is on with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN, Teams
with MICROSOFT_APP_ID. Without REDIS_URL it runs on an embedded in-memory Redis and says so.
`

const shellUsage = `Usage: outcomebot shell [--demo] [flags]

The bot in a terminal, for trying it without any chat platform: type /commands as a user in a
channel, switch users and channels, move a simulated clock and run what is due (:help lists
the meta-lines). Reads a script instead when stdin is not a terminal. With --demo it starts on
the demo's data (see outcomebot demo), so /tag, /digest and the triage work at once.
`

const demoUsage = `Usage: outcomebot demo

Loads a realistic scenario (a retail chain: outcomes, tagged and untagged requests over two
weeks, escalations acknowledged fast, late and never) and prints what the bot posts on the
Monday morning: the leadership digest and the week's triage. Without REDIS_URL it runs on an
embedded in-memory Redis, which is what you want: the scenario is written into the shell's
workspace (T0SHELL) of whatever Redis it is given.
`

const teamsPackageUsage = `Usage: outcomebot teams-package > outcomebot-teams.zip

Writes the Teams app package (manifest and icons) for the bot whose app id MICROSOFT_APP_ID (or
-teams-app-id) gives, to upload in Teams or the Teams admin center.
`

// shellFlagDocs are the shell's own flags.
func shellFlagDocs() []flagDoc {
	return []flagDoc{{name: "demo", help: "start on the demo's data (the retail chain of outcomebot demo)"}}
}

// importFlagDocs are import's own flags, read from the flag set runImport
// parses, so the help cannot drift from it.
func importFlagDocs() []flagDoc {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	importFlags(fs)
	return flagSetDocs(fs)
}

// exportFlagDocs are export's own flags, read from runExport's flag set.
func exportFlagDocs() []flagDoc {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	exportFlags(fs)
	return flagSetDocs(fs)
}

// digestFlagDocs are the flags splitDigestFlags takes.
func digestFlagDocs() []flagDoc {
	return []flagDoc{
		{name: "channel", arg: "ID", help: "the leadership channel whose digest to print or post"},
		{name: "all", help: "every subscribed channel (of --workspace, or of every workspace)"},
		{name: "workspace", arg: "ID", help: "the workspace (Slack team id, Teams tenant id); needed " +
			"when the channel is subscribed in several, or not at all"},
		{name: "post", help: "post the digest to the channel (marked manual) instead of printing it"},
	}
}

// flagSetDocs documents the flags defined on fs, by name.
func flagSetDocs(fs *flag.FlagSet) []flagDoc {
	var out []flagDoc
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		def := f.DefValue
		if def == "false" {
			def = ""
		}
		out = append(out, flagDoc{name: f.Name, arg: strings.ToUpper(arg), def: def, help: help})
	})
	return out
}

// lookupHelp finds a command's help page.
func lookupHelp(name string) (commandHelp, bool) {
	for _, h := range commandHelps {
		if h.name == name {
			return h, true
		}
	}
	return commandHelp{}, false
}

// helpRequested reports whether args ask for help (-h, -help or --help
// before any "--").
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// runHelp is `outcomebot help [command]`.
func runHelp(args []string, stdout io.Writer) error {
	if helpRequested(args) {
		args = []string{"help"}
	}
	switch len(args) {
	case 0:
		printCommandList(stdout)
		return nil
	case 1:
		h, ok := lookupHelp(args[0])
		if !ok {
			return usagef("no command %q; run `outcomebot help` for the list", args[0])
		}
		printCommandHelp(stdout, h)
		return nil
	}
	return usagef("help takes one command at most: outcomebot help <command>")
}

// printCommandList writes the top-level help: every command in a line.
func printCommandList(w io.Writer) {
	fmt.Fprint(w, `outcomebot ties IT support work to business outcomes, in Slack and Teams.

Usage: outcomebot <command> [flags]

Commands:
`)
	for _, h := range commandHelps {
		fmt.Fprintf(w, "  %-14s %s\n", h.name, h.summary)
	}
	fmt.Fprint(w, `
Run outcomebot help <command> (or outcomebot <command> -h) for a command's flags and settings.
Settings come from environment variables, or from their flags, which win; outcomebot help serve
lists them all.
`)
}

// printCommandHelp writes one command's page.
func printCommandHelp(w io.Writer, h commandHelp) {
	fmt.Fprint(w, h.about)
	if h.flags != nil {
		fmt.Fprintln(w, "\nFlags:")
		for _, f := range h.flags() {
			printFlag(w, f)
		}
	}
	var docs []flagDoc
	for _, s := range settings {
		g, _ := groupOf(s.env)
		if hasGroup(h.settings, g) || (s.env == "MICROSOFT_APP_ID" && hasGroup(h.settings, groupTeamsApp)) {
			docs = append(docs, settingDoc(s))
		}
	}
	if len(docs) > 0 {
		fmt.Fprintln(w, "\nSettings (environment variable, or the flag, which wins):")
		for _, d := range docs {
			printFlag(w, d)
		}
	}
	if h.example != "" {
		fmt.Fprintf(w, "\nExample:\n  %s\n", h.example)
	}
}

func hasGroup(gs []settingGroup, g settingGroup) bool {
	for _, x := range gs {
		if x == g {
			return true
		}
	}
	return false
}

// settingDoc documents a setting as its flag, naming its variable.
func settingDoc(s setting) flagDoc {
	return flagDoc{name: s.flag, arg: "$" + s.env, def: s.def, help: s.help}
}

// printFlag writes one flag: its name and argument on a line, then its
// meaning and default wrapped under it.
func printFlag(w io.Writer, f flagDoc) {
	head := "  -" + f.name
	if f.arg != "" {
		head += " " + f.arg
	}
	help := f.help
	if f.def != "" {
		help += " (default " + f.def + ")"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, wrap(help, "      ", helpWidth))
}

// wrap breaks text into lines of at most width columns, each led by
// indent; a word longer than a line stands alone.
func wrap(text, indent string, width int) string {
	var lines []string
	line := indent
	for _, word := range strings.Fields(text) {
		if line != indent && len([]rune(line))+1+len([]rune(word)) > width {
			lines = append(lines, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	return strings.Join(append(lines, line), "\n")
}
