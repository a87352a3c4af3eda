package shell_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/bot/shell"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func newShell(t *testing.T, out *bytes.Buffer) (*shell.Shell, *commands.Core, *shell.Clock) {
	clock := shell.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	core := commands.New(storetest.New(t), commands.Config{Admins: []string{"admin"}}, clock, nil)
	return shell.New(core, clock, out), core, clock
}

// TestScript feeds a file of lines to the shell, as `outcomebot shell <
// file` does, and compares the transcript with the golden one.
func TestScript(t *testing.T) {
	in, err := os.Open("testdata/session.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	sh, _, _ := newShell(t, &out)
	if err := sh.Run(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	golden := "testdata/session.golden"
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("transcript differs from %s (run with -update to accept):\n%s", golden, out.String())
	}
	// What a user would look for in that transcript.
	for _, s := range []string{
		"did you mean pos-conversion?",
		"→ posted in #it-pos",
		"[Acknowledge] [Resolve]",
		"You need the it-lead or admin role",
		"Reminder: E-1",
		"[card in #it-pos updated]",
		"was acknowledged by @raj after 4h",
		"Weekly outcome digest",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("transcript lacks %q", s)
		}
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
	core := commands.New(storetest.New(t), commands.Config{Admins: []string{"admin"}}, clock, nil)
	if err := shell.Demo(context.Background(), core, clock, &out); err != nil {
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
		"acknowledged 2",
		"not acknowledged",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("demo output lacks %q:\n%s", s, got)
		}
	}
	if strings.Contains(got, "! ") {
		t.Errorf("demo script hit an error:\n%s", got)
	}
}
