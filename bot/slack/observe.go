package slack

import (
	"errors"
	"net/http"

	"github.com/slack-go/slack"
)

// Observer sees the adapter's outbound traffic, for metrics. Its methods
// must be quick and safe for concurrent use.
type Observer interface {
	// Transport wraps the transport of every outbound HTTP call (Web API,
	// response_url, OAuth, Socket Mode's connection request): it can count
	// calls and their statuses, 429s included.
	Transport(next http.RoundTripper) http.RoundTripper
	// Retried is called before each retry of a Web API call; status is the
	// HTTP status of the failed attempt (429 when rate limited) or 0 for a
	// connection failure.
	Retried(status int)
}

// PanicCounter is an optional Observer method: Panicked is called after a
// panic on one of the adapter's own goroutines (background work after an
// answer, the Socket Mode loop) was recovered and logged, so it can be
// counted like a panic in an HTTP handler.
type PanicCounter interface {
	Panicked()
}

// SetObserver makes o see every outbound call from now on. Call it once,
// before the adapter serves or posts anything.
func (a *Adapter) SetObserver(o Observer) {
	next := a.http.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	a.http.Transport = o.Transport(next)
	a.poster.obs = o
}

// observeRetry reports a retry of a call that failed with err.
func (p *Poster) observeRetry(err error) {
	if p.obs == nil {
		return
	}
	status := 0
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &rl):
		status = http.StatusTooManyRequests
	case errors.As(err, &sc):
		status = sc.Code
	}
	p.obs.Retried(status)
}
