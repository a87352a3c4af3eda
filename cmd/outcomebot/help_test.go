package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/store/storetest"
)

// cliResult is what one in-process run of the command line left.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line in-process, as main does, with env as the
// environment and stdin as standard input.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli(context.Background(), args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] })
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// TestCommandHelp: every command prints its own page, to stdout with exit
// 0, whether asked with -h, --help or `help <command>`; the page says what
// the command does, how to call it, and gives an example.
func TestCommandHelp(t *testing.T) {
	for _, h := range commandHelps {
		t.Run(h.name, func(t *testing.T) {
			var pages []string
			for _, args := range [][]string{{h.name, "-h"}, {h.name, "--help"}, {h.name, "-help"}, {"help", h.name}} {
				r := runCLI(t, nil, "", args...)
				if r.code != 0 || r.stderr != "" {
					t.Fatalf("%q: exit %d, stderr %q; want 0 and nothing", args, r.code, r.stderr)
				}
				pages = append(pages, r.stdout)
			}
			for i, p := range pages[1:] {
				if p != pages[0] {
					t.Errorf("help page %d differs from `%s -h`:\n%s", i+1, h.name, p)
				}
			}
			page := pages[0]
			for _, want := range []string{"Usage: outcomebot " + h.name, "\nExample:\n  "} {
				if !strings.Contains(page, want) {
					t.Errorf("`%s -h` lacks %q:\n%s", h.name, want, page)
				}
			}
			if h.flags != nil {
				for _, f := range h.flags() {
					if !strings.Contains(page, "\n  -"+f.name) {
						t.Errorf("`%s -h` does not list its flag -%s:\n%s", h.name, f.name, page)
					}
				}
			}
		})
	}
}

// TestCommandHelpSettings: each page lists the settings that command
// reads, as flags naming their environment variables, with defaults.
func TestCommandHelpSettings(t *testing.T) {
	for _, tc := range []struct {
		cmd          string
		want, absent []string
	}{
		{cmd: "serve", want: []string{"  -redis-url $REDIS_URL", "  -addr $OUTCOMEBOT_ADDR", "(default :3000)",
			"  -slack-signing-secret $SLACK_SIGNING_SECRET", "  -teams-app-id $MICROSOFT_APP_ID", "(default 0 9 * * MON)"}},
		{cmd: "shell", want: []string{"  -demo\n", "  -redis-url $REDIS_URL", "  -triage-cron $OUTCOMEBOT_TRIAGE_CRON", "  -tz $OUTCOMEBOT_TZ"},
			absent: []string{"SLACK_", "OUTCOMEBOT_ADDR"}},
		{cmd: "import", want: []string{"  -workspace ID", "  -dry-run\n", "  -ref-column HEADER", "$REDIS_URL"},
			absent: []string{"SLACK_", "MICROSOFT_"}},
		{cmd: "export", want: []string{"  -workspace ID", "  -output FILE", "$REDIS_URL"}, absent: []string{"SLACK_"}},
		{cmd: "digest", want: []string{"  -channel ID", "  -all\n", "  -post\n", "$SLACK_BOT_TOKEN", "$REDIS_URL"},
			absent: []string{"OUTCOMEBOT_ADDR"}},
		{cmd: "teams-package", want: []string{"  -teams-app-id $MICROSOFT_APP_ID"}, absent: []string{"REDIS_URL", "MICROSOFT_APP_PASSWORD"}},
		{cmd: "version", absent: []string{"Settings"}},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			page := runCLI(t, nil, "", "help", tc.cmd).stdout
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("`help %s` lacks %q:\n%s", tc.cmd, w, page)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(page, a) {
					t.Errorf("`help %s` mentions %q, which it does not read:\n%s", tc.cmd, a, page)
				}
			}
		})
	}
}

// TestServeHelpListsEverySetting: serve reads every setting, so its page
// lists each one; a new setting must be placed in a group to appear.
func TestServeHelpListsEverySetting(t *testing.T) {
	page := runCLI(t, nil, "", "serve", "-h").stdout
	for _, s := range settings {
		if _, ok := groupOf(s.env); !ok {
			t.Errorf("setting %s is in no help group (see groupOf)", s.env)
		}
		if !strings.Contains(page, "  -"+s.flag+" $"+s.env+"\n") {
			t.Errorf("`serve -h` lacks -%s ($%s)", s.flag, s.env)
		}
	}
}

// TestHelpListsCommands: `outcomebot`, `outcomebot help` and
// `outcomebot --help` list every command and exit 0.
func TestHelpListsCommands(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"--help"}, {"-h"}} {
		r := runCLI(t, nil, "", args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.code, r.stderr)
		}
		for _, h := range commandHelps {
			if !strings.Contains(r.stdout, "\n  "+h.name+" ") {
				t.Errorf("%q does not list %s:\n%s", args, h.name, r.stdout)
			}
		}
		if !strings.Contains(r.stdout, "outcomebot help <command>") {
			t.Errorf("%q does not say how to get a command's help:\n%s", args, r.stdout)
		}
	}
}

// TestHelpFitsWidth: no line of any help output is wider than 100 columns.
func TestHelpFitsWidth(t *testing.T) {
	outputs := map[string]string{"help": runCLI(t, nil, "", "help").stdout}
	for _, h := range commandHelps {
		outputs["help "+h.name] = runCLI(t, nil, "", "help", h.name).stdout
	}
	for name, out := range outputs {
		if out == "" {
			t.Errorf("%s printed nothing", name)
		}
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > helpWidth {
				t.Errorf("%s line %d is %d columns wide: %q", name, i+1, n, line)
			}
		}
	}
}

// TestCommandLineMistakes: an unknown command, help topic or flag, or a
// missing argument, exits 2 with a message on stderr saying what to do,
// and starts nothing.
func TestCommandLineMistakes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"; run ` + "`outcomebot help`"},
		{[]string{"frobnicate", "-h"}, `unknown command "frobnicate"`},
		{[]string{"help", "frobnicate"}, `no command "frobnicate"`},
		{[]string{"help", "serve", "shell"}, "one command at most"},
		{[]string{"serve", "--no-such-flag"}, "flag provided but not defined: -no-such-flag (see `outcomebot serve -h`)"},
		{[]string{"serve", "extra"}, `unexpected arguments ["extra"]`},
		{[]string{"shell", "--demo=maybe"}, "invalid boolean value"},
		{[]string{"import", "tickets.csv"}, "need --workspace and one CSV file"},
		{[]string{"export", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"digest"}, "give either --channel <id> or --all"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCLI(t, nil, "", tc.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", r.code, r.stderr)
			}
			if !strings.HasPrefix(r.stderr, "outcomebot: ") || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q, want it to say %q", r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

// TestFailureExitsOne: a command that runs and fails exits 1, not 2.
func TestFailureExitsOne(t *testing.T) {
	r := runCLI(t, nil, "", "export", "--workspace", "T1")
	if r.code != 1 || !strings.Contains(r.stderr, "REDIS_URL") {
		t.Errorf("export without Redis: exit %d, stderr %q; want 1 and a word about REDIS_URL", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "outcomebot ") {
		t.Errorf("version: exit %d, stdout %q", r.code, r.stdout)
	}
}

// shellEnv points the shell at a database of the test Redis of its own,
// emptied first, so the shell's workspace starts empty.
func shellEnv(t *testing.T) map[string]string {
	t.Helper()
	const db = 9 // used by no other test of this package
	rdb := redis.NewClient(&redis.Options{Addr: storetest.Addr(), DB: db})
	t.Cleanup(func() { rdb.FlushDB(context.Background()); rdb.Close() })
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"REDIS_URL": "redis://" + storetest.Addr() + "/9"}
}

// TestShellDemo: `shell --demo` starts on the demo's data, so a first
// /tag of one of its requests tags it, and a triage menu can be picked.
func TestShellDemo(t *testing.T) {
	r := runCLI(t, shellEnv(t), "/tag INC0010042 click-collect\n:pick INC0010043 infra-uptime\n", "shell", "--demo")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"INC0010042 → click-collect",
		"[card in #it-triage updated]",
		"@admin tagged INC0010043 → infra-uptime",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("shell --demo session lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "no outcomes yet") || strings.Contains(r.stdout, "\n! ") {
		t.Errorf("shell --demo session hit an error:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "Weekly outcome digest") {
		t.Errorf("shell --demo printed the demo's posts; loading should be silent:\n%s", r.stdout)
	}
}

// TestShellDemoRefusesData: --demo on a store whose shell workspace has
// outcomes already fails, saying so, instead of mixing the two.
func TestShellDemoRefusesData(t *testing.T) {
	env := shellEnv(t)
	if r := runCLI(t, env, "", "shell", "--demo"); r.code != 0 {
		t.Fatalf("first --demo: exit %d, stderr %q", r.code, r.stderr)
	}
	r := runCLI(t, env, "", "shell", "--demo")
	if r.code != 1 || !strings.Contains(r.stderr, "already has 4 outcomes") {
		t.Errorf("second --demo: exit %d, stderr %q; want 1 and a word about the outcomes there", r.code, r.stderr)
	}
}
