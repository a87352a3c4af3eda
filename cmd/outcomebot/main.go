// Command outcomebot is the outcomebot chat bot: `serve` runs it for Slack
// and Teams, `shell` runs it in a terminal, `demo` shows a realistic week.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/bot/shell"
	"github.com/outcomebot/outcomebot/bot/teams"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
	_ "time/tzdata" // time zones work in minimal images
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "outcomebot:", err)
		os.Exit(1)
	}
}

const usage = `outcomebot ties IT support work to business outcomes, in Slack and Teams.

Usage: outcomebot <command> [flags]

Commands:
  serve     run the bot for Slack and/or Teams: one HTTP server (OUTCOMEBOT_ADDR)
  shell     the bot in a terminal: type /commands, switch users, move a simulated clock
  demo      load a retail-chain scenario and print its leadership digest
  import    bring a CSV of requests into a workspace: import --workspace <id> FILE.csv [--dry-run]
  export    write a workspace's requests as CSV: export --workspace <id> [--output FILE]
  digest    print a channel's digest now (--channel <id> | --all), or --post it
  teams-package  write the Teams app zip (app id from MICROSOFT_APP_ID) to stdout
  version   print the version
  help      this text

Settings (environment variable, or the flag, which wins):
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd := "help"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		printSettings(stdout)
		return nil
	case "version", "--version":
		fmt.Fprintln(stdout, "outcomebot", version)
		return nil
	case "import":
		return runImport(ctx, args, stdout, stderr, getenv)
	case "export":
		return runExport(ctx, args, stdout, stderr, getenv)
	case "digest":
		return runDigest(ctx, args, getenv, stdout, stderr, digestPosters)
	case "shell", "demo", "serve", "teams-package":
	default:
		return fmt.Errorf("unknown command %q; run `outcomebot help`", cmd)
	}
	cfg, _, err := parseConfig(cmd, args, getenv)
	if err != nil {
		return err
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
	switch cmd {
	case "shell":
		return runShell(ctx, st, cfg, log, stdin, stdout)
	default:
		return runDemo(ctx, st, cfg, log, stdout)
	}
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

func runShell(ctx context.Context, st *store.Store, cfg *config, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	clock := shell.NewClock(time.Now().In(cfg.core.DefaultTZ).Truncate(time.Minute))
	core := commands.New(st, withShellAdmin(cfg.core), clock, log)
	sh := shell.New(core, clock, stdout)
	interactive := isTerminal(stdin)
	sh.Interactive(interactive)
	if interactive {
		fmt.Fprintln(stdout, "outcomebot shell: you are @admin in #general. Type /outcome help for commands, :help for meta-lines, :quit to leave.")
	}
	err := sh.Run(ctx, stdin)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// withShellAdmin makes the shell's starting user an admin.
func withShellAdmin(c commands.Config) commands.Config {
	c.Admins = append(append([]string(nil), c.Admins...), "admin")
	return c
}

func runDemo(ctx context.Context, st *store.Store, cfg *config, log *slog.Logger, stdout io.Writer) error {
	clock := shell.NewClock(time.Time{})
	core := commands.New(st, withShellAdmin(cfg.core), clock, log)
	return shell.Demo(ctx, core, clock, stdout)
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
