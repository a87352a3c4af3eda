package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/bot"
	"github.com/outcomebot/outcomebot/bot/shell"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
)

const digestUsage = `Usage: outcomebot digest (--channel <id> | --all) [--workspace <id>] [--post] [settings flags]

Prints the weekly digest of a leadership channel (or of every subscribed
channel) as it stands now. With --post it posts it there instead, marked
"posted manually": a manual post never replaces the week's scheduled digest.
`

// posterFactory builds the chat platforms' posters for a core from the
// parsed settings; main supplies it (the same platforms serve turns on, but
// no listener or Socket Mode is needed to post). nil, or a nil PosterFor,
// means no platform is configured: digests can only be printed.
type posterFactory func(ctx context.Context, cfg *config, core *commands.Core, st *store.Store, log *slog.Logger) (bot.PosterFor, error)

// digestFlags are the digest subcommand's own flags.
type digestFlags struct {
	channel, workspace string
	all, post, help    bool
}

// runDigest is `outcomebot digest`: it prints, or with --post posts, the
// digest of one channel or of every subscribed channel, now. args are the
// arguments after "digest": its own flags mixed with the settings flags
// parseConfig reads. Without a poster factory (or with one that reaches
// no workspace) --post prints the digest and fails, saying nothing was
// posted.
func runDigest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, posters posterFactory) error {
	df, rest, err := splitDigestFlags(args)
	if err != nil {
		return usagef("digest: %w\n%s", err, digestUsage)
	}
	if df.help {
		h, _ := lookupHelp("digest")
		printCommandHelp(stdout, h)
		return nil
	}
	if (df.channel == "") == !df.all {
		return usagef("digest: give either --channel <id> or --all\n%s", digestUsage)
	}
	cfg, extra, err := parseConfig("digest", rest, getenv)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		return usagef("digest: unexpected arguments %q\n%s", extra, digestUsage)
	}
	if redisConn(cfg).Mode() == "embedded" {
		return errors.New("digest: set REDIS_URL (or REDIS_SENTINEL_ADDRS / REDIS_CLUSTER_ADDRS) to the bot's Redis: the subscriptions and numbers live there, and an empty in-memory Redis has none")
	}
	log := newLogger(stderr, cfg.get("OUTCOMEBOT_LOG_LEVEL"), true)
	cfg.warnSettings(log)
	st, closeStore, err := openStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	p := assemble(st, cfg.core, commands.SystemClock{}, log)
	targets, err := digestTargets(ctx, st, df)
	if err != nil {
		return err
	}
	now := time.Now()
	if !df.post {
		return printDigests(ctx, p.cadence, targets, now, stdout)
	}
	var resolve bot.PosterFor
	if posters != nil {
		if resolve, err = posters(ctx, cfg, p.core, st, log); err != nil {
			return fmt.Errorf("digest: set up chat platforms: %w", err)
		}
	}
	return postDigests(ctx, p.cadence, resolve, targets, now, stdout)
}

// splitDigestFlags takes the digest flags out of args (--flag, -flag,
// --flag=value or --flag value) and leaves the rest for parseConfig.
func splitDigestFlags(args []string) (digestFlags, []string, error) {
	var df digestFlags
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") {
			rest = append(rest, args[i])
			continue
		}
		switch name {
		case "channel", "workspace":
			if !hasValue {
				if i+1 >= len(args) {
					return df, nil, fmt.Errorf("--%s needs a value", name)
				}
				i++
				value = args[i]
			}
			if name == "channel" {
				df.channel = strings.TrimPrefix(value, "#")
			} else {
				df.workspace = value
			}
		case "all", "post", "help", "h":
			if hasValue {
				return df, nil, fmt.Errorf("--%s takes no value", name)
			}
			df.all = df.all || name == "all"
			df.post = df.post || name == "post"
			df.help = df.help || name == "help" || name == "h"
		default:
			rest = append(rest, args[i])
		}
	}
	return df, rest, nil
}

// digestTarget is one channel whose digest is printed or posted.
type digestTarget struct {
	ws  string
	sub record.Subscription
}

// digestTargets resolves the flags to channels: every subscribed channel
// (of one workspace, or all) for --all; for --channel, the workspace that
// subscribed it, unless --workspace names one (then even an unsubscribed
// channel is allowed: its digest covers all outcomes in the default zone).
func digestTargets(ctx context.Context, st *store.Store, df digestFlags) ([]digestTarget, error) {
	wss := []string{df.workspace}
	if df.workspace == "" {
		var err error
		if wss, err = st.Workspaces(ctx); err != nil {
			return nil, fmt.Errorf("digest: %w", err)
		}
	}
	var out []digestTarget
	for _, ws := range wss {
		subs, err := st.ListSubscriptions(ctx, ws)
		if err != nil {
			return nil, fmt.Errorf("digest: %w", err)
		}
		for _, s := range subs {
			if df.all || s.Channel == df.channel {
				out = append(out, digestTarget{ws: ws, sub: s})
			}
		}
	}
	switch {
	case df.all && len(out) == 0:
		return nil, errors.New("digest: no channel is subscribed to the digest")
	case df.all:
		return out, nil
	case len(out) == 0 && df.workspace != "":
		return []digestTarget{{ws: df.workspace, sub: record.Subscription{Channel: df.channel}}}, nil
	case len(out) == 0:
		return nil, fmt.Errorf("digest: channel %s is not subscribed in any workspace; name its workspace with --workspace", df.channel)
	case len(out) > 1:
		var wss []string
		for _, t := range out {
			wss = append(wss, t.ws)
		}
		return nil, fmt.Errorf("digest: channel %s is subscribed in several workspaces (%s); pick one with --workspace", df.channel, strings.Join(wss, ", "))
	}
	return out, nil
}

// printDigests writes each target's digest as terminal text.
func printDigests(ctx context.Context, cad *cadence.Cadence, targets []digestTarget, now time.Time, w io.Writer) error {
	var errs []error
	for i, t := range targets {
		loc := cad.ChannelZone(t.sub)
		resp, err := cad.ChannelDigest(ctx, t.ws, t.sub.Channel, now, digest.Input{})
		if err != nil {
			errs = append(errs, fmt.Errorf("digest for %s in %s: %w", t.sub.Channel, t.ws, err))
			continue
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "# workspace %s · channel %s · %s · %s\n%s\n", t.ws, t.sub.Channel, loc, cadence.WeekOf(now.In(loc)), shell.Render(resp))
	}
	return errors.Join(errs...)
}

// postDigests posts each target's digest now, marked manual; a target no
// poster reaches is printed instead and counted as a failure.
func postDigests(ctx context.Context, cad *cadence.Cadence, posters bot.PosterFor, targets []digestTarget, now time.Time, w io.Writer) error {
	var errs []error
	for _, t := range targets {
		var p commands.Poster
		if posters != nil {
			p = posters(t.ws)
		}
		if p == nil {
			if err := printDigests(ctx, cad, []digestTarget{t}, now, w); err != nil {
				errs = append(errs, err)
			}
			errs = append(errs, fmt.Errorf("digest for %s in %s not posted: no chat platform is configured for workspace %s (printed above)", t.sub.Channel, t.ws, t.ws))
			continue
		}
		if err := cad.SendDigest(ctx, p, t.ws, t.sub.Channel, now, digest.Input{Manual: true}, "cli"); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(w, "posted the digest to %s in %s (marked manual; this week's scheduled digest still goes out)\n", t.sub.Channel, t.ws)
	}
	return errors.Join(errs...)
}
