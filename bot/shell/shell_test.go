package shell_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/outcomebot/outcomebot/bot/shell"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func newShell(t *testing.T, out *bytes.Buffer) (*shell.Shell, *commands.Core, *shell.Clock) {
	clock := shell.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	b, st := testBot(t, clock)
	core := b.Core
	return shell.New(shell.Bot{Core: b.Core, Cadence: b.Cadence, Triage: b.Triage, Store: st}, clock, out, shell.Options{}), core, clock
}

// TestScript feeds files of lines to the shell, as `outcomebot shell <
// file` does, and compares each transcript with its golden one.
func TestScript(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []string // what a user would look for in the transcript
	}{
		{name: "session", want: []string{
			"did you mean pos-conversion?",
			"→ posted in #it-pos",
			"[Acknowledge] [Resolve]",
			"You need the it-lead or admin role",
			"Reminder: E-1",
			"[card in #it-pos updated]",
			"was acknowledged by @raj after 4h",
			"Weekly outcome digest",
		}},
		{name: "checkin", want: []string{
			"`lots` is not a KPI value",
			"You need the admin role, or to be the business owner of pos (@maria), to record its KPI value.",
			"→ direct message to @maria",
			"[Yes: pos] [Archive pos]",
			"Thanks: pos is still a priority",
			"Outcome uptime archived",
			"Outcome uptime is already archived; nothing changed.",
			"KPI value: 3.3%",
			"12-week trend",
			"⚠ Stale — owner has not confirmed it is still a priority since 23 Nov 2026.",
		}},
		{name: "triage", want: []string{
			"! no triage message on show has a menu",
			"== Untagged requests · 16–22 Nov 2026 ==",
			"[Pick its outcome ▾ pos | uptime]",
			"INC0000001 in #it-pos [m1]: pos | uptime",
			"[card in #it-pos updated]",
			"@maria tagged INC0000001 → uptime",
			"! no triage message on show has a menu for INC0000001",
			`! INC0000002's menu has no "payroll": pick one of pos, uptime`,
			"! usage: :pick <ticket> <outcome-key>",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runScript(t, "testdata/"+tc.name+".txt")
			checkGolden(t, "testdata/"+tc.name+".golden", got)
			for _, s := range tc.want {
				if !strings.Contains(got, s) {
					t.Errorf("transcript lacks %q", s)
				}
			}
		})
	}
}

// runScript runs the script file on a fresh shell and returns the
// transcript.
func runScript(t *testing.T, path string) string {
	t.Helper()
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	sh, _, _ := newShell(t, &out)
	if err := sh.Run(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// checkGolden compares got with the golden file (rewritten with -update).
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s (run with -update to accept):\n%s", golden, got)
	}
}

// TestTickRunsTriage: :tick sends the weekly triage when its slot has
// come, once a week however often it runs, on the schedule given.
func TestTickRunsTriage(t *testing.T) {
	var out bytes.Buffer
	clock := shell.NewClock(time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC))
	b, st := testBot(t, clock)
	sh := shell.New(shell.Bot{Core: b.Core, Cadence: b.Cadence, Triage: b.Triage, Store: st}, clock, &out, shell.Options{TriageCron: "0 14 * * TUE"})
	ctx := context.Background()
	for _, line := range []string{
		`/outcome add pos "Point of sale" it-channel=#it-pos`,
		`/tag INC0000001 none`,
		`:clock 2026-11-24T13:59`, `:tick`,
	} {
		sh.Line(ctx, line)
	}
	if strings.Contains(out.String(), "Untagged requests") {
		t.Fatalf("triage posted before its slot (Tuesday 14:00):\n%s", out.String())
	}
	for _, line := range []string{`:clock +1m`, `:tick`, `:clock +1h`, `:tick`} {
		sh.Line(ctx, line)
	}
	if n := strings.Count(out.String(), "Untagged requests"); n != 1 {
		t.Errorf("want the triage posted once at its slot, got %d times:\n%s", n, out.String())
	}
	if !strings.Contains(out.String(), "→ posted in #it-pos") || !strings.Contains(out.String(), "INC0000001") {
		t.Errorf("triage not posted in the outcome's IT channel with the untagged request:\n%s", out.String())
	}
}

func TestMetaLines(t *testing.T) {
	var out bytes.Buffer
	sh, _, clock := newShell(t, &out)
	ctx := context.Background()
	sh.Line(ctx, ":clock +90m")
	if got := clock.Now(); !got.Equal(time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)) {
		t.Errorf(":clock +90m → %v", got)
	}
	sh.Line(ctx, ":clock +1d12h")
	if got := clock.Now(); !got.Equal(time.Date(2026, 11, 24, 22, 30, 0, 0, time.UTC)) {
		t.Errorf(":clock +1d12h → %v, want a day and a half later", got)
	}
	sh.Line(ctx, ":clock +2d")
	if got := clock.Now(); !got.Equal(time.Date(2026, 11, 26, 22, 30, 0, 0, time.UTC)) {
		t.Errorf(":clock +2d → %v", got)
	}
	sh.Line(ctx, ":clock 2026-11-30T09:00 Europe/Berlin")
	if got := clock.Now(); got.Location().String() != "Europe/Berlin" || got.Hour() != 9 {
		t.Errorf(":clock with zone → %v", got)
	}
	out.Reset()
	sh.Line(ctx, ":as bob wizard")
	sh.Line(ctx, "/outcome whoami")
	if !strings.Contains(out.String(), "@admin") || strings.Contains(out.String(), "You are @bob") {
		t.Errorf(":as with a bad role switched user anyway:\n%s", out.String())
	}
	for line, want := range map[string]string{
		":clock sometime":    "usage: :clock",
		":as bob superuser":  `no role "superuser"`,
		":click E-9 ack":     "E-9",
		":frob":              "unknown meta-line",
		"tag INC1 pos":       "commands start with /",
		"/outcome add x \"y": "Unterminated quote",
	} {
		out.Reset()
		sh.Line(ctx, line)
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s: got %q, want %q", line, out.String(), want)
		}
	}
}

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	clock := shell.NewClock(time.Time{})
	b, st := testBot(t, clock)
	if err := shell.Demo(context.Background(), shell.New(shell.Bot{Core: b.Core, Cadence: b.Cadence, Triage: b.Triage, Store: st}, clock, &out, shell.Options{})); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, s := range []string{
		"→ posted in #leadership",
		"Weekly outcome digest · 16–23 Nov 2026",
		"pos-conversion", "infra-uptime", "click-collect",
		"Starved", "finance-close",
		"Drift: 3 of",
		"Escalations raised 3",
		"Trends, last 12 weeks", // weeks before the demo's history are a gap, not zero
		"Drift: ··········",
		"acknowledged 2",
		"unacknowledged for",
		"→ posted in #it-triage",
		"== Untagged requests · 16–22 Nov 2026 ==",
		"[Pick its outcome ▾ click-collect | finance-close | infra-uptime | pos-conversion]",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("demo output lacks %q:\n%s", s, got)
		}
	}
	if strings.Contains(got, "! ") {
		t.Errorf("demo script hit an error:\n%s", got)
	}
}

// TestLoadDemo: a shell started on the demo's data greets with what is
// loaded and what to try, and those work: /tag of a demo request, and a
// pick in the triage menus the demo's Monday posted.
func TestLoadDemo(t *testing.T) {
	var out bytes.Buffer
	sh, _, clock := newShell(t, &out)
	ctx := context.Background()
	if err := sh.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("loading the demo printed:\n%s", out.String())
	}
	if want := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC); !clock.Now().Equal(want) {
		t.Errorf("clock after the demo: %v, want its Monday %v", clock.Now(), want)
	}
	greeting := sh.Greeting(ctx)
	for _, want := range []string{"you are @admin in #general", "Loaded the demo", "/tag INC0010042 click-collect", ":pick"} {
		if !strings.Contains(greeting, want) {
			t.Errorf("greeting lacks %q:\n%s", want, greeting)
		}
	}
	sh.Line(ctx, "/tag INC0010042 click-collect locker doors stuck at Bath")
	sh.Line(ctx, ":pick REQ0030007 infra-uptime")
	for _, want := range []string{"INC0010042 → click-collect", "[card in #it-triage updated]", "@admin tagged REQ0030007 → infra-uptime"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("after the demo, the session lacks %q:\n%s", want, out.String())
		}
	}
	if err := sh.LoadDemo(ctx); err == nil || !strings.Contains(err.Error(), "already has 4 outcomes") {
		t.Errorf("second LoadDemo: err = %v, want a refusal naming the outcomes there", err)
	}
}

// TestGreetingEmptyStore: on a workspace with no outcomes the greeting
// says how to add one, or to start with --demo, so a first /tag is not a
// dead end; once there are outcomes it does not.
func TestGreetingEmptyStore(t *testing.T) {
	var out bytes.Buffer
	sh, _, _ := newShell(t, &out)
	ctx := context.Background()
	greeting := sh.Greeting(ctx)
	for _, want := range []string{"No outcomes yet", "/outcome add pos-conversion", "outcomebot shell --demo"} {
		if !strings.Contains(greeting, want) {
			t.Errorf("greeting on an empty store lacks %q:\n%s", want, greeting)
		}
	}
	sh.Line(ctx, `/outcome add pos "Point of sale"`)
	if g := sh.Greeting(ctx); strings.Contains(g, "No outcomes yet") || strings.Contains(g, "Loaded the demo") {
		t.Errorf("greeting with an outcome still hints at an empty store or the demo:\n%s", g)
	}
}

// TestMetaHelp: :help lists every meta-line the shell takes, each line
// within 100 columns; the greetings fit too.
func TestMetaHelp(t *testing.T) {
	var out bytes.Buffer
	sh, _, _ := newShell(t, &out)
	ctx := context.Background()
	sh.Line(ctx, ":help")
	help := out.String()
	for _, meta := range []string{":as", ":in", ":clock", ":tick", ":click", ":pick", ":quiet", ":help", ":quit"} {
		if !strings.Contains(help, "\n  "+meta+" ") {
			t.Errorf(":help does not list %s:\n%s", meta, help)
		}
	}
	if !strings.Contains(help, "triage") {
		t.Errorf(":help does not say :tick runs the triage:\n%s", help)
	}
	texts := []string{help, sh.Greeting(ctx)}
	if err := sh.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	texts = append(texts, sh.Greeting(ctx))
	for _, text := range texts {
		for _, line := range strings.Split(text, "\n") {
			if n := utf8.RuneCountInString(line); n > 100 {
				t.Errorf("line of %d columns: %q", n, line)
			}
		}
	}
}

// testBot assembles the whole core on a private store, as the shell runs it.
func testBot(t *testing.T, clock *shell.Clock) (commandstest.Bot, *store.Store) {
	st := storetest.New(t)
	return commandstest.NewBot(st, commands.Config{Admins: []string{"admin"}}, clock, nil), st
}
