package teams

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// Adapter settings.
const (
	// turnTimeout bounds the work done for one inbound message after the
	// Bot Connector has been answered.
	turnTimeout = 2 * time.Minute
	// maxTurns bounds concurrent turns; further requests wait for a slot.
	maxTurns = 64
	// saveTimeout bounds saving a conversation reference.
	saveTimeout = 5 * time.Second
)

// Adapter is the Teams side of outcomebot: the /api/messages handler and
// the Poster for proactive messages.
type Adapter struct {
	cfg       Config
	core      *commands.Core
	store     *store.Store
	log       *slog.Logger
	validator *validator
	conn      *connector
	now       func() time.Time
	misses    missCache
	admins    *adminBridge

	turns  sync.WaitGroup
	slots  chan struct{}
	mu     sync.Mutex
	closed bool
}

// options are seams for tests.
type options struct {
	client *http.Client
	now    func() time.Time
	// sleep replaces the waits between connector retries, for tests over
	// real sockets that are not about timing.
	sleep func(context.Context, time.Duration) error
}

// New builds the Teams adapter. It does no network I/O: the signing keys and
// the first token are fetched when first needed.
func New(cfg Config, core *commands.Core, st *store.Store, log *slog.Logger) (*Adapter, error) {
	return newAdapter(cfg, core, st, log, options{})
}

func newAdapter(cfg Config, core *commands.Core, st *store.Store, log *slog.Logger, o options) (*Adapter, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if core == nil {
		return nil, errors.New("teams adapter: core is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.client == nil {
		o.client = &http.Client{Timeout: requestTimeout}
	}
	if o.now == nil {
		o.now = time.Now
	}
	if st == nil {
		return nil, errors.New("teams adapter: the Redis store is required (conversation references live there)")
	}
	log = log.With("platform", "teams")
	pol := connectorRetry
	pol.Sleep = o.sleep
	return &Adapter{
		cfg:       cfg,
		core:      core,
		store:     st,
		log:       log,
		validator: newValidator(cfg.AppID, newKeyCache(cfg.OpenIDMetadataURL, o.client, log)),
		conn: &connector{
			http:    o.client,
			tokens:  newTokenSource(cfg.TokenURL, cfg.AppID, cfg.AppPassword, o.client),
			limiter: newConvLimiter(teamsSendLimits),
			log:     log,
			retry:   pol,
		},
		now:    o.now,
		admins: newAdminBridge(core.Config().Admins),
		slots:  make(chan struct{}, maxTurns),
	}, nil
}

// Register adds POST /api/messages to mux.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.Handle("POST /api/messages", a)
}

// Close stops accepting activities and waits for the turns in flight to
// finish, or for ctx to end.
func (a *Adapter) Close(ctx context.Context) error {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	done := make(chan struct{})
	go func() { a.turns.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close teams adapter: %w", ctx.Err())
	}
}

// ServeHTTP handles one activity from the Bot Connector. The token is
// checked before anything else happens: a failure answers 401 (no token),
// 503 (the signing keys cannot be fetched, so the connector retries) or 403,
// and changes nothing. An authenticated activity's conversation
// reference is saved; a message is then handled in the background, after
// the connector has its 200 (replies go through the connector, not this
// response). An invoke (a dialog or message action) is answered in this
// response instead (invoke.go). Activity types outcomebot does not handle
// get 200.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	authHeader := r.Header.Get("Authorization")
	if _, err := bearerToken(authHeader); errors.Is(err, errMissingAuth) {
		a.log.Warn("teams: request without a bearer token", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "activity too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	act, err := decodeActivity(body)
	if err != nil {
		http.Error(w, "bad activity", http.StatusBadRequest)
		return
	}
	if err := a.validator.Validate(r.Context(), authHeader, activityClaims{ServiceURL: act.ServiceURL, ChannelID: act.ChannelID}); err != nil {
		// The error names the failed check, never the token.
		a.log.Warn("teams: rejected activity", "err", err, "remote", r.RemoteAddr, "type", act.Type)
		status := authStatus(err)
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "5") // the keys could not be fetched; the token may be fine
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	ws := act.tenant()
	if !strings.EqualFold(ws, a.cfg.TenantID) { // GUIDs may arrive in either case
		a.log.Warn("teams: activity from another tenant", "workspace", ws)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	// One spelling of the tenant everywhere: it is the workspace key.
	ws = a.cfg.TenantID
	act.Conversation.TenantID = ws
	log := a.log.With("workspace", ws, "conversation", act.Conversation.ID, "activity", act.ID)
	if act.botRemoved() {
		a.forgetReferences(r.Context(), act, log)
		w.WriteHeader(http.StatusOK)
		return
	}
	a.saveReference(r.Context(), act, log)

	switch act.Type {
	case schema.Message:
		if !a.startTurn(r.Context(), act, log) {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
	case schema.Invoke:
		a.serveInvoke(w, r, act, log)
		return
	case schema.ConversationUpdate, schema.InstallationUpdate:
		log.Info("teams: conversation reference saved", "type", act.Type, "action", act.Action)
	default:
		log.Debug("teams: activity type not handled", "type", act.Type)
	}
	w.WriteHeader(http.StatusOK)
}

// saveReference stores the conversation reference and the users an
// authenticated activity names. A failure is logged: the turn still runs,
// and the core reports a store outage to the user itself.
func (a *Adapter) saveReference(ctx context.Context, act inboundActivity, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	ref := act.reference()
	ref.Updated = a.now().UTC()
	if err := a.store.SaveTeamsActivity(ctx, ref.TenantID, ref, act.users()...); err != nil {
		log.Error("teams: save conversation reference", "err", err)
	}
}

// forgetReferences deletes the references of a conversation the bot was
// uninstalled from or removed from, and of every channel of its team, so
// digests, cards and reminders are no longer posted there: a post to one
// fails at once as ErrNoConversation (permanent), and the admin who
// subscribed it is told, instead of retrying into a 403 all week.
func (a *Adapter) forgetReferences(ctx context.Context, act inboundActivity, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	ref := act.reference()
	n, err := a.store.ForgetTeamsConversations(ctx, ref.TenantID, ref.TeamID, ref.ID)
	if err != nil {
		log.Error("teams: forget conversation references", "err", err)
		return
	}
	log.Info("teams: bot removed; conversation references forgotten", "type", act.Type, "action", act.Action, "team", ref.TeamID, "forgotten", n)
}

// startTurn runs handleMessage in the background; false when the adapter
// is closed.
func (a *Adapter) startTurn(ctx context.Context, act inboundActivity, log *slog.Logger) bool {
	if !a.reserveTurn(ctx) {
		return false
	}
	a.runTurn(ctx, log, func(ctx context.Context) { a.handleMessage(ctx, act, log) })
	return true
}

// reserveTurn takes a slot for a background turn (waiting for one while
// ctx lasts); false when the adapter is closed. A reservation must be
// followed by runTurn.
func (a *Adapter) reserveTurn(ctx context.Context) bool {
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if !a.holdTurn() {
		<-a.slots
		return false
	}
	return true
}

// holdTurn counts a turn Close must wait for, without a slot; false when
// the adapter is closed. It is followed by runWhenFree or turns.Done.
func (a *Adapter) holdTurn() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	a.turns.Add(1)
	return true
}

// runWhenFree runs fn on a held turn once a slot is free, however long
// that takes: the caller has already answered.
func (a *Adapter) runWhenFree(ctx context.Context, log *slog.Logger, fn func(context.Context)) {
	go func() {
		a.slots <- struct{}{}
		a.runTurn(ctx, log, fn)
	}()
}

// releaseTurn ends a turn that held a slot.
func (a *Adapter) releaseTurn() {
	<-a.slots
	a.turns.Done()
}

// runTurn runs fn in the background on a reserved slot, with turnTimeout
// and without ctx's cancellation (the HTTP request may be answered first).
func (a *Adapter) runTurn(ctx context.Context, log *slog.Logger, fn func(context.Context)) {
	go func() {
		defer func() {
			if p := recover(); p != nil {
				log.Error("teams: turn panicked", "panic", p, "stack", string(debug.Stack()))
				if pc, ok := a.conn.obs.(interface{ Panicked() }); ok {
					pc.Panicked()
				}
			}
			a.releaseTurn()
		}()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), turnTimeout)
		defer cancel()
		fn(ctx)
	}()
}

// Poster returns the commands.Poster that posts to stored Teams conversations.
func (a *Adapter) Poster() commands.Poster { return &Poster{a: a} }
