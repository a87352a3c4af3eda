package slack

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/store"

	"github.com/outcomebot/outcomebot/commands"
)

// New builds the adapter. It fails on an incomplete configuration (no
// signing secret; OAuth settings without a secret key).
func New(cfg Config, core *commands.Core, st *store.Store, log *slog.Logger) (*Adapter, error) {
	if core == nil {
		return nil, errors.New("slack: core is required")
	}
	a, err := newAdapter(cfg, core, st, log)
	if err != nil {
		return nil, err
	}
	core.WatchEscalations(a.homes.touched)
	return a, nil
}

// newAdapter builds the adapter on any coreAPI.
func newAdapter(cfg Config, core coreAPI, st *store.Store, log *slog.Logger) (*Adapter, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With(slog.String("platform", "slack"))
	if st == nil {
		return nil, errors.New("slack: the Redis store is required (installs, event dedup and OAuth state live there)")
	}
	a := &Adapter{cfg: cfg, core: core, st: st, log: log, now: time.Now, http: newHTTPClient()}
	a.verifier = newVerifier(cfg.SigningSecret, func() time.Time { return a.now() })
	a.modals = newModalSealer(cfg.SigningSecret + "\x00" + cfg.AppToken)
	a.tokens = &tokens{store: st, fallback: cfg.BotToken, now: func() time.Time { return a.now() }, cache: map[string]cachedToken{}}
	if cfg.SecretKey != "" {
		if a.tokens.sealer, err = newSealer(cfg.SecretKey); err != nil {
			return nil, err
		}
	}
	cl := newClients(cfg.APIURL, a.http)
	a.tokens.whoami = func(ctx context.Context, token string) (*slack.AuthTestResponse, error) {
		return cl.get(token).AuthTestContext(ctx)
	}
	pace := newPacer(time.Now)
	pace.shared, pace.log = storePace(st), log
	a.poster = &Poster{tokens: a.tokens, api: cl.get, pacer: pace, log: log}
	a.homes = newHomeRefresher(func() time.Time { return a.now() }, a.refreshHome)
	a.poster.names = &names{store: st, api: a.poster.client, now: func() time.Time { return a.now() }, log: log}
	return a, nil
}
