package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/bot/slack"
	"github.com/outcomebot/outcomebot/bot/teams"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// server is everything `serve` runs.
type server struct {
	log    *slog.Logger
	st     *store.Store
	core   *commands.Core
	slack  *slack.Adapter
	teams  *teams.Adapter
	tenant string
	http   *http.Server
}

func runServe(ctx context.Context, cfg *config, log *slog.Logger, stderr io.Writer) error {
	st, closeStore, err := openStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	s := &server{log: log, st: st, core: commands.New(st, cfg.core, nil, log)}
	mux := http.NewServeMux()
	if err := s.platforms(ctx, cfg, mux); err != nil {
		return err
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", s.ready)
	s.http = &http.Server{
		Addr: cfg.get("OUTCOMEBOT_ADDR"), Handler: mux,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 90 * time.Second,
	}
	ln, err := net.Listen("tcp", s.http.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.http.Addr, err)
	}
	log.Info("outcomebot serving", "addr", ln.Addr().String(), "version", version, "embedded_redis", st.Embedded())
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	timeout, err := time.ParseDuration(cfg.get("OUTCOMEBOT_SHUTDOWN_TIMEOUT"))
	if err != nil || timeout <= 0 {
		timeout = 20 * time.Second
	}
	return s.shutdown(timeout)
}

// platforms turns on each platform whose settings are present.
func (s *server) platforms(ctx context.Context, cfg *config, mux *http.ServeMux) error {
	var on []string
	if secret := cfg.get("SLACK_SIGNING_SECRET"); secret != "" || cfg.get("SLACK_APP_TOKEN") != "" {
		a, err := slack.New(slack.Config{
			SigningSecret: secret, BotToken: cfg.get("SLACK_BOT_TOKEN"), AppToken: cfg.get("SLACK_APP_TOKEN"),
			APIURL: cfg.get("SLACK_API_URL"), ClientID: cfg.get("SLACK_CLIENT_ID"), ClientSecret: cfg.get("SLACK_CLIENT_SECRET"),
			RedirectURL: cfg.get("SLACK_REDIRECT_URL"), SecretKey: cfg.get("OUTCOMEBOT_SECRET_KEY"),
		}, s.core, s.log)
		if err != nil {
			return err
		}
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
		a, err := teams.New(teams.Config{
			AppID: appID, AppPassword: cfg.get("MICROSOFT_APP_PASSWORD"), TenantID: cfg.get("MICROSOFT_APP_TENANT_ID"),
			OpenIDMetadataURL: cfg.get("TEAMS_OPENID_METADATA_URL"), TokenURL: cfg.get("TEAMS_TOKEN_URL"),
		}, s.core, s.log)
		if err != nil {
			return err
		}
		a.Register(mux)
		s.teams, s.tenant = a, cfg.get("MICROSOFT_APP_TENANT_ID")
		on = append(on, "teams")
	}
	if len(on) == 0 {
		s.log.Warn("no chat platform configured: set SLACK_SIGNING_SECRET (Slack) or MICROSOFT_APP_ID (Teams); serving health checks only")
	} else {
		s.log.Info("platforms on", "platforms", strings.Join(on, ","))
	}
	return nil
}

// posterFor picks the platform a workspace lives on: the Teams tenant, or Slack.
func (s *server) posterFor(ws string) commands.Poster {
	if s.teams != nil && ws == s.tenant {
		return s.teams.Poster()
	}
	if s.slack != nil {
		return s.slack.Poster()
	}
	return nil
}

// ready answers 200 while Redis answers.
func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		http.Error(w, "redis unavailable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ready\n")
}

// shutdown stops accepting, lets in-flight requests and background
// deliveries finish within timeout.
func (s *server) shutdown(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s.log.Info("shutting down", "timeout", timeout.String())
	err := s.http.Shutdown(ctx)
	if s.slack != nil {
		err = errors.Join(err, s.slack.Shutdown(ctx))
	}
	if s.teams != nil {
		err = errors.Join(err, s.teams.Close(ctx))
	}
	return err
}
