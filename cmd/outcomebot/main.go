// Command outcomebot is the outcomebot chat bot: `serve` runs it for Slack
// and Teams, `shell` runs it in a terminal, `demo` shows a realistic week.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	_ "time/tzdata" // time zones work in minimal images

	"github.com/outcomebot/outcomebot/bot/shell"
	"github.com/outcomebot/outcomebot/bot/teams"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// cli runs the command line and returns the exit status: 0, 1 for a
// failure, 2 for a command line that cannot run as written. Errors go to
// stderr.
func cli(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	err := run(ctx, args, stdin, stdout, stderr, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "outcomebot:", err)
	}
	return exitCode(err)
}

// run runs one command: args[0] names it (help when there is none), the
// rest are its flags and arguments. -h or --help among them prints the
// command's help instead.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd := "help"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "-h", "--help", "-help":
		cmd, args = "help", nil
	case "--version":
		cmd = "version"
	}
	h, ok := lookupHelp(cmd)
	if !ok {
		return usagef("unknown command %q; run `outcomebot help` for the list", cmd)
	}
	if cmd != "help" && helpRequested(args) {
		printCommandHelp(stdout, h)
		return nil
	}
	switch cmd {
	case "help":
		return runHelp(args, stdout)
	case "version":
		fmt.Fprintln(stdout, "outcomebot", version)
		return nil
	case "import":
		return runImport(ctx, args, stdout, stderr, getenv)
	case "export":
		return runExport(ctx, args, stdout, stderr, getenv)
	case "digest":
		return runDigest(ctx, args, getenv, stdout, stderr, digestPosters)
	case "shell":
		return runShell(ctx, args, getenv, stdin, stdout, stderr)
	}
	cfg, extra, err := parseConfig(cmd, args, getenv)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		return usagef("%s: unexpected arguments %q (see `outcomebot %s -h`)", cmd, extra, cmd)
	}
	log := newLogger(stderr, cfg.get("OUTCOMEBOT_LOG_LEVEL"), cmd != "serve")
	cfg.warnSettings(log)
	switch cmd {
	case "serve":
		return runServe(ctx, cfg, log, stderr)
	case "teams-package":
		return writeTeamsPackage(cfg, stdout)
	}
	st, closeStore, err := openStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	return runDemo(ctx, st, cfg, log, stdout)
}

// newLogger logs JSON to w; terminal commands log only warnings and errors.
func newLogger(w io.Writer, level string, quiet bool) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	if quiet && l < slog.LevelWarn {
		l = slog.LevelWarn
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// openStore connects to the Redis the REDIS_* settings name (standalone,
// Sentinel or Cluster; see redisConn), or starts the embedded Redis and
// says so. hooks are added to the client before its first command.
func openStore(ctx context.Context, cfg *config, stderr io.Writer, hooks ...redis.Hook) (*store.Store, func() error, error) {
	conn := redisConn(cfg)
	conn.Hooks = hooks
	st, closer, err := store.Connect(ctx, conn)
	if err != nil {
		return nil, nil, fmt.Errorf("open Redis (%s): %w", redisTarget(conn), err)
	}
	if conn.Mode() == "embedded" {
		fmt.Fprintln(stderr, "outcomebot: no REDIS_URL: running on an embedded in-memory Redis; state is in memory only and lost on exit")
	}
	return st, closer, nil
}

// runShell is `outcomebot shell [--demo]`: the bot in a terminal, on
// the demo's data with --demo.
func runShell(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var demo *bool
	cfg, extra, err := parseConfig("shell", args, getenv, func(fs *flag.FlagSet) {
		demo = fs.Bool("demo", false, shellFlagDocs()[0].help)
	})
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		return usagef("shell: unexpected arguments %q (see `outcomebot shell -h`)", extra)
	}
	log := newLogger(stderr, cfg.get("OUTCOMEBOT_LOG_LEVEL"), true)
	st, closeStore, err := openStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	start := time.Now().In(cfg.core.DefaultTZ).Truncate(time.Minute)
	if *demo {
		start = time.Time{} // the demo script sets the clock
	}
	clock := shell.NewClock(start)
	sh := newShell(st, cfg, log, clock, stdout)
	if *demo {
		if err := sh.LoadDemo(ctx); err != nil {
			return err
		}
	}
	interactive := isTerminal(stdin)
	sh.Interactive(interactive)
	if interactive {
		fmt.Fprint(stdout, sh.Greeting(ctx))
	}
	err = sh.Run(ctx, stdin)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// newShell builds a shell, with its core, on st: the shell's starting user
// is an admin, and its :tick runs the triage on serve's schedule.
func newShell(st *store.Store, cfg *config, log *slog.Logger, clock *shell.Clock, stdout io.Writer) *shell.Shell {
	p := assemble(st, withShellAdmin(cfg.core), clock, log)
	return shell.New(shell.Bot{Core: p.core, Cadence: p.cadence, Triage: p.triage, Store: st}, clock, stdout, shell.Options{TriageCron: cfg.get("OUTCOMEBOT_TRIAGE_CRON"), Log: log})
}

// withShellAdmin makes the shell's starting user an admin.
func withShellAdmin(c commands.Config) commands.Config {
	c.Admins = append(append([]string(nil), c.Admins...), "admin")
	return c
}

func runDemo(ctx context.Context, st *store.Store, cfg *config, log *slog.Logger, stdout io.Writer) error {
	return shell.Demo(ctx, newShell(st, cfg, log, shell.NewClock(time.Time{}), stdout))
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeTeamsPackage writes the Teams app package for the configured app id.
func writeTeamsPackage(cfg *config, stdout io.Writer) error {
	appID := cfg.get("MICROSOFT_APP_ID")
	if appID == "" {
		return errors.New("teams-package needs the bot's app id: set MICROSOFT_APP_ID or pass -teams-app-id")
	}
	if f, ok := stdout.(*os.File); ok && isTerminal(f) {
		return errors.New("teams-package writes a zip: redirect it to a file (outcomebot teams-package > outcomebot-teams.zip)")
	}
	return teams.WritePackage(stdout, appID)
}
