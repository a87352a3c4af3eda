package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/outcomebot/outcomebot/bot"
	"github.com/outcomebot/outcomebot/bot/intake"
	"github.com/outcomebot/outcomebot/bot/metrics"
	"github.com/outcomebot/outcomebot/bot/slack"
	"github.com/outcomebot/outcomebot/bot/teams"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/store"
)

// server is everything `serve` runs.
type server struct {
	log *slog.Logger
	st  *store.Store
	parts
	metrics *metrics.Metrics
	slack   *slack.Adapter
	teams   *teams.Adapter
	tenant  string
	http    *http.Server

	sched     *bot.Scheduler
	schedDone chan struct{} // closed when the scheduler's Run returns
	posts     *inflight     // the scheduler's posts in flight
	sweep     *sweeper

	draining atomic.Bool // set on SIGTERM: /readyz answers 503
}

// serveSettings are the serve-only settings, checked before anything starts.
type serveSettings struct {
	shutdown, drain, retention time.Duration
}

func parseServeSettings(cfg *config) (serveSettings, error) {
	retention, err := parseRetention(cfg.get("OUTCOMEBOT_RETENTION"))
	if err != nil {
		return serveSettings{}, err
	}
	ss := serveSettings{retention: retention}
	if ss.shutdown, err = durationSetting(cfg, "OUTCOMEBOT_SHUTDOWN_TIMEOUT", 20*time.Second); err != nil {
		return serveSettings{}, err
	}
	if ss.drain, err = durationSetting(cfg, "OUTCOMEBOT_DRAIN_DELAY", 0); err != nil {
		return serveSettings{}, err
	}
	if spec := cfg.get("OUTCOMEBOT_TRIAGE_CRON"); spec != "" {
		if _, err := cadence.NextDigest(spec, time.UTC, time.Now()); err != nil {
			return serveSettings{}, fmt.Errorf("OUTCOMEBOT_TRIAGE_CRON: %w", err)
		}
	}
	return ss, nil
}

// runServe runs the HTTP server (Slack, Teams, health, metrics), the
// weekly scheduler and the retention sweep until ctx ends (SIGTERM), then
// shuts down gracefully (see shutdown).
func runServe(ctx context.Context, cfg *config, log *slog.Logger, stderr io.Writer) error {
	ss, err := parseServeSettings(cfg)
	if err != nil {
		return err
	}
	tuneGC()
	m := metrics.New(version)
	conn := redisConn(cfg)
	st, closeStore, err := openStore(ctx, cfg, io.Discard, m.RedisHook()) // logs are JSON: say it below
	if err != nil {
		return err
	}
	if conn.Mode() == "embedded" {
		log.Warn("no REDIS_URL: running on an embedded in-memory Redis; state is in memory only and lost on exit")
	}
	defer func() {
		if err := closeStore(); err != nil {
			log.Warn("close redis", "err", err)
		}
	}()
	s := &server{log: log, st: st, parts: assemble(st, cfg.core, nil, log), metrics: m, posts: &inflight{}}
	s.core.SetObserver(m)
	mux := http.NewServeMux()
	if err := s.platforms(ctx, cfg, mux); err != nil {
		return err
	}
	s.routes(mux)
	s.http = newHTTPServer(cfg.get("OUTCOMEBOT_ADDR"), s.harden(mux))
	ln, err := net.Listen("tcp", s.http.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.http.Addr, err)
	}
	s.startScheduler(cfg)
	s.sweep = startSweeper(st, ss.retention, s.sched.Holder(), m, log)
	log.Info("outcomebot serving", "addr", ln.Addr().String(), "version", version,
		"redis", redisTarget(conn), "retention", ss.retention.String(), "holder", s.sched.Holder())
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	select {
	case err := <-errc:
		s.shutdown(ss)
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	return s.shutdown(ss)
}

// newHTTPServer is the server with its timeouts: a slow client cannot hold
// a connection open by trickling headers or a body.
func newHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr: addr, Handler: h,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 90 * time.Second,
		MaxHeaderBytes: maxHeaderBytes,
	}
}

// routes adds health, readiness and metrics to mux.
func (s *server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", s.metrics.Handler())
}

// platforms turns on each platform whose settings are present, and the
// ITSM intake endpoint when it has tokens.
func (s *server) platforms(ctx context.Context, cfg *config, mux *http.ServeMux) error {
	var on []string
	if secret := cfg.get("SLACK_SIGNING_SECRET"); secret != "" || cfg.get("SLACK_APP_TOKEN") != "" {
		a, err := newSlack(cfg, s.core, s.st, s.log)
		if err != nil {
			return err
		}
		a.SetObserver(s.metrics.Platform("slack"))
		a.Register(mux)
		s.slack = a
		on = append(on, "slack")
		if cfg.get("SLACK_APP_TOKEN") != "" {
			on = append(on, "slack-socket-mode")
			go func() {
				if err := a.RunSocketMode(ctx); err != nil && !errors.Is(err, context.Canceled) {
					s.log.Error("slack socket mode stopped", "err", err)
				}
			}()
		}
	}
	if appID := cfg.get("MICROSOFT_APP_ID"); appID != "" {
		a, err := newTeams(cfg, s.core, s.st, s.log)
		if err != nil {
			return err
		}
		a.SetObserver(s.metrics.Platform("teams"))
		a.Register(mux)
		s.teams, s.tenant = a, cfg.get("MICROSOFT_APP_TENANT_ID")
		on = append(on, "teams")
	}
	if spec := cfg.get("OUTCOMEBOT_INTAKE_TOKENS"); spec != "" {
		tokens, err := intake.ParseTokens(spec)
		if err != nil {
			return fmt.Errorf("OUTCOMEBOT_INTAKE_TOKENS: %w", err)
		}
		intake.New(s.intake, tokens, s.log).Register(mux)
		// A ticket the ITSM closes or reopens moves its escalation: tell
		// its card, its raiser and everyone waiting, as /resolve does.
		s.intake.Announce(s.escalations, func(ctx context.Context, ws string, outs []commands.Outgoing) error {
			p := s.posterFor(ws)
			if p == nil {
				return fmt.Errorf("no chat platform reaches workspace %s", ws)
			}
			return s.core.Deliver(ctx, p, outs)
		}, s.log)
		s.log.Info("intake on", "path", intake.Path, "workspaces", len(tokens))
	}
	if s.slack == nil {
		why := "no SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)"
		if cfg.get("SLACK_BOT_TOKEN") != "" || cfg.get("SLACK_CLIENT_ID") != "" {
			why = "a Slack token or client id is set, but " + why + ": Slack cannot verify requests"
		}
		s.log.Info("platform off", "platform", "slack", "why", why)
	}
	if s.teams == nil {
		s.log.Info("platform off", "platform", "teams", "why", "no MICROSOFT_APP_ID (Teams needs it with MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID)")
	}
	if len(on) == 0 {
		s.log.Warn("no chat platform configured: set SLACK_SIGNING_SECRET or SLACK_APP_TOKEN (Slack), or MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID (Teams); serving health checks only")
	} else {
		s.log.Info("platforms on", "platforms", strings.Join(on, ","))
	}
	return nil
}

// posterFor picks the platform a workspace lives on: the Teams tenant, or Slack.
func (s *server) posterFor(ws string) commands.Poster {
	return platformPoster(s.slack, s.teams, s.tenant, ws)
}

// platformPoster picks the Poster of the platform a workspace lives on.
func platformPoster(sl *slack.Adapter, tm *teams.Adapter, tenant, ws string) commands.Poster {
	if tm != nil && ws == tenant {
		return tm.Poster()
	}
	if sl != nil {
		return sl.Poster()
	}
	return nil
}

func newSlack(cfg *config, core *commands.Core, st *store.Store, log *slog.Logger) (*slack.Adapter, error) {
	return slack.New(slack.Config{
		SigningSecret: cfg.get("SLACK_SIGNING_SECRET"), BotToken: cfg.get("SLACK_BOT_TOKEN"), AppToken: cfg.get("SLACK_APP_TOKEN"),
		APIURL: cfg.get("SLACK_API_URL"), ClientID: cfg.get("SLACK_CLIENT_ID"), ClientSecret: cfg.get("SLACK_CLIENT_SECRET"),
		RedirectURL: cfg.get("SLACK_REDIRECT_URL"), SecretKey: cfg.get("OUTCOMEBOT_SECRET_KEY"),
	}, core, st, log)
}

func newTeams(cfg *config, core *commands.Core, st *store.Store, log *slog.Logger) (*teams.Adapter, error) {
	return teams.New(teams.Config{
		AppID: cfg.get("MICROSOFT_APP_ID"), AppPassword: cfg.get("MICROSOFT_APP_PASSWORD"), TenantID: cfg.get("MICROSOFT_APP_TENANT_ID"),
		OpenIDMetadataURL: cfg.get("TEAMS_OPENID_METADATA_URL"), TokenURL: cfg.get("TEAMS_TOKEN_URL"),
	}, core, st, log)
}

// digestPosters gives `outcomebot digest --post` the posters of the
// platforms serve would turn on (no listener, no Socket Mode).
func digestPosters(ctx context.Context, cfg *config, core *commands.Core, st *store.Store, log *slog.Logger) (bot.PosterFor, error) {
	var sl *slack.Adapter
	var tm *teams.Adapter
	var err error
	if cfg.get("SLACK_SIGNING_SECRET") != "" || cfg.get("SLACK_APP_TOKEN") != "" {
		if sl, err = newSlack(cfg, core, st, log); err != nil {
			return nil, err
		}
	}
	if cfg.get("MICROSOFT_APP_ID") != "" {
		if tm, err = newTeams(cfg, core, st, log); err != nil {
			return nil, err
		}
	}
	if sl == nil && tm == nil {
		return nil, nil
	}
	tenant := cfg.get("MICROSOFT_APP_TENANT_ID")
	return func(ws string) commands.Poster { return platformPoster(sl, tm, tenant, ws) }, nil
}

// undeliverable says whether a post can never succeed on retry: the bot is
// not in the channel, not installed, or has no Teams conversation there.
func undeliverable(err error) bool {
	return commands.IsUndeliverable(err) || errors.Is(err, slack.ErrNotInChannel) ||
		errors.Is(err, slack.ErrNotInstalled) || errors.Is(err, teams.ErrNoConversation)
}

// startScheduler runs the weekly cadence (digests, reminder ladder) in the
// background, its posts counted in flight so shutdown can let them finish,
// and exports its digest counts.
func (s *server) startScheduler(cfg *config) {
	posters := func(ws string) commands.Poster {
		if p := s.posterFor(ws); p != nil {
			return s.posts.track(p)
		}
		return nil
	}
	s.sched = bot.NewScheduler(s.cadence, s.triage, posters, nil, bot.SchedulerOptions{
		Log: s.log, TriageCron: cfg.get("OUTCOMEBOT_TRIAGE_CRON"), Permanent: undeliverable,
	})
	s.metrics.WatchDigests(func() metrics.DigestCounts {
		st := s.sched.Stats()
		return metrics.DigestCounts{Posted: st.Posted, Late: st.Late, Missed: st.Missed, Failed: st.Failed}
	})
	s.metrics.WatchScheduler(func() metrics.SchedulerState {
		st := s.sched.Stats()
		return metrics.SchedulerState{LastTick: st.LastTick, LadderSent: st.LadderSent, LadderLost: st.LadderLost, LadderRetried: st.LadderRetried}
	})
	s.schedDone = make(chan struct{})
	go func() {
		defer close(s.schedDone)
		if err := s.sched.Run(context.Background()); err != nil {
			s.log.Error("scheduler stopped", "err", err)
		}
	}()
}

// schedulerRunning reports whether the scheduler's Run has not returned.
func (s *server) schedulerRunning() bool {
	select {
	case <-s.schedDone:
		return false
	default:
		return s.schedDone != nil
	}
}

// ready answers 200 while Redis answers, the scheduler runs and the server
// is not shutting down; 503 naming what is wrong otherwise.
func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if !s.schedulerRunning() {
		http.Error(w, "scheduler not running", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		http.Error(w, "redis unavailable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ready\n")
}

// shutdown stops gracefully within ss.shutdown: /readyz turns 503 first
// (and stays so for the drain delay, so load balancers stop sending), then
// the listener closes and in-flight requests finish, while the scheduler
// lets the posts it has in flight finish and stops (a digest it claimed
// but did not post is released for another replica) and the retention
// sweep stops; Redis is closed by the caller after this returns.
func (s *server) shutdown(ss serveSettings) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), ss.shutdown)
	defer cancel()
	s.draining.Store(true)
	s.log.Info("shutting down", "timeout", ss.shutdown.String(), "drain_delay", ss.drain.String())
	select {
	case <-time.After(ss.drain):
	case <-ctx.Done():
	}
	var wg sync.WaitGroup
	var httpErr, schedErr error
	wg.Go(func() { httpErr = s.stopHTTP(ctx) })
	wg.Go(func() { schedErr = s.stopScheduler(ctx) })
	wg.Wait()
	s.sweep.stop()
	err := errors.Join(httpErr, schedErr)
	if err != nil {
		s.log.Warn("shutdown cut short", "err", err, "took", time.Since(start).String())
		return err
	}
	s.log.Info("shut down", "took", time.Since(start).String())
	return nil
}

// stopHTTP closes the listener, waits for in-flight requests, then for the
// adapters' work still running after their answers.
func (s *server) stopHTTP(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if s.slack != nil {
		err = errors.Join(err, s.slack.Shutdown(ctx))
	}
	if s.teams != nil {
		err = errors.Join(err, s.teams.Close(ctx))
	}
	return err
}

// stopScheduler lets the posts in flight finish, then stops the scheduler
// (a digest claimed but not yet posted is released), all within ctx.
func (s *server) stopScheduler(ctx context.Context) error {
	if err := s.posts.waitIdle(ctx, postQuiet); err != nil {
		s.log.Warn("scheduler posts still in flight at the shutdown deadline", "in_flight", s.posts.active())
	}
	stopped := make(chan struct{})
	go func() { s.sched.Stop(); close(stopped) }()
	select {
	case <-stopped:
		<-s.schedDone
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop scheduler: %w", ctx.Err())
	}
}

// tuneGC trades a little memory for steadier latency: the heap of a
// request is small and short-lived, so the default GOGC=100 collects several
// times a second under load, and those cycles showed up in the slash-command
// p99 (4.8 ms at 1,000 req/s against 1.9 ms with these settings, RSS 31 →
// 34 MiB; .github/CONTRIBUTING.md#measuring-outcomebot). GOGC and GOMEMLIMIT in the environment win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(24 << 20) // soft: the GC works harder near it, never fails
	}
}
