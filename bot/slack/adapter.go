package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// backgroundTimeout bounds work done after Slack was answered: delivering
// outgoing messages, answering through response_url, publishing App Home.
const backgroundTimeout = 2 * time.Minute

// coreAPI is what the adapter uses of *commands.Core.
type coreAPI interface {
	Handle(ctx context.Context, req commands.Request) commands.Response
	Deliver(ctx context.Context, p commands.Poster, outs []commands.Outgoing) error
	Clock() commands.Clock
	Home(ctx context.Context, ws, user string, now time.Time) (commands.Response, error)
	OpenForm(ctx context.Context, req commands.Request, id string, prefill commands.FormValues) commands.Response
	SubmitForm(ctx context.Context, req commands.Request, id string, values commands.FormValues) (commands.Response, commands.FormErrors)
	SuggestForm(ctx context.Context, req commands.Request, id, field, query string) []commands.Choice
}

// Adapter connects the core to Slack: HTTP handlers for commands,
// interactions, events and the OAuth install, Socket Mode, and the Poster.
type Adapter struct {
	cfg      Config
	core     coreAPI
	st       *store.Store // installs, event dedup and OAuth state
	log      *slog.Logger
	now      func() time.Time
	verifier *verifier
	http     *http.Client
	tokens   *tokens
	poster   *Poster
	modals   modalSealer // seals modal state (private_metadata)
	homes    *homeRefresher

	// bg tracks work running after a request was answered. bgMu guards
	// closed (Shutdown has begun) and running (pieces counted in bg): once
	// closed, new work is only accepted while other work still runs, so bg.Add
	// never races with Shutdown's bg.Wait.
	bg      sync.WaitGroup
	bgMu    sync.Mutex
	closed  bool
	running int
}

// Register adds the adapter's HTTP routes to mux.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", a.serveCommand)
	mux.HandleFunc("POST /slack/interactions", a.serveInteraction)
	mux.HandleFunc("POST /slack/events", a.serveEvent)
	mux.HandleFunc("GET /slack/install", a.serveInstall)
	mux.HandleFunc("GET /slack/oauth/callback", a.serveOAuthCallback)
}

// Poster returns the adapter's commands.Poster, for the scheduler.
func (a *Adapter) Poster() commands.Poster { return a.poster }

// Shutdown waits for work still running after requests were answered
// (deliveries, response_url answers), or until ctx ends. Work that would
// start after it began (a late Socket Mode envelope) is dropped, unless it
// is started by work still running.
func (a *Adapter) Shutdown(ctx context.Context) error {
	a.bgMu.Lock()
	a.closed = true
	a.bgMu.Unlock()
	a.homes.stop()
	return a.drain(ctx)
}

// drain waits for the background work counted so far, or until ctx ends.
func (a *Adapter) drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() { a.bg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("slack: shutdown: %w", ctx.Err())
	}
}

// background runs fn after the request was answered, with its own timeout.
func (a *Adapter) background(fn func(ctx context.Context)) {
	a.reserveBackground()(fn)
}

// reserveBackground counts a piece of background work now (so Shutdown
// waits for it) and returns the function that starts it: call it after
// answering Slack, so the answer goes first. After Shutdown began, with
// nothing else running, the work is refused: the returned function only
// logs. A panic in the work is recovered, logged with its stack and
// counted (see Observer), so the server keeps serving.
func (a *Adapter) reserveBackground() func(fn func(ctx context.Context)) {
	a.bgMu.Lock()
	if a.closed && a.running == 0 {
		a.bgMu.Unlock()
		return func(func(context.Context)) {
			a.log.LogAttrs(context.Background(), slog.LevelWarn, "slack background work dropped: shutting down")
		}
	}
	a.running++
	a.bg.Add(1)
	a.bgMu.Unlock()
	return func(fn func(ctx context.Context)) {
		go func() {
			defer a.doneBackground()
			defer a.recoverPanic("slack background work")
			ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
			defer cancel()
			fn(ctx)
		}()
	}
}

func (a *Adapter) doneBackground() {
	a.bgMu.Lock()
	a.running--
	a.bgMu.Unlock()
	a.bg.Done()
}

// recoverPanic, deferred, stops a panic on a goroutine the HTTP server does
// not guard: it is logged with its stack and counted. what names the work.
func (a *Adapter) recoverPanic(what string) {
	p := recover()
	if p == nil {
		return
	}
	a.log.LogAttrs(context.Background(), slog.LevelError, what+" panicked",
		slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
	if c, ok := a.poster.obs.(PanicCounter); ok {
		c.Panicked()
	}
}
