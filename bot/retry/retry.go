// Package retry is the one retry policy of outcomebot's platform clients
// (bot/slack and bot/teams): which failures are tried again, and how long
// to wait before each new try. Only what can succeed later is retried — a
// 429 after the wait the server names (Retry-After), a 5xx, and a
// connection failure — with exponential backoff and jitter, a bounded
// number of tries, and never past the caller's context.
//
// Resending after a connection failure. A request that failed in transport
// may or may not have reached the server: a chat.postMessage or a Bot
// Connector send whose connection dropped after the request was written
// may have posted, and resending it would post twice. The rule here is:
//
//   - a request that is safe to repeat (a read, or an update that replaces
//     a message with the same content) is resent after any connection
//     failure;
//   - a request that creates something (a post) is resent only when the
//     failure proves it never reached the server: the connection could not
//     be opened (DNS failure, refused, dial timeout). Any other transport
//     failure is reported, not resent: a missing message can be noticed
//     and sent again, a duplicate cannot be taken back.
//
// Go's http.Transport already resends a request on its own when a kept-alive
// connection turns out closed before anything was written, so the common
// "stale connection" case never reaches this package.
package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Verdict is what a classifier says about one failed try.
type Verdict struct {
	// Retry is true when the same call may succeed later.
	Retry bool
	// After is the wait the server asked for (Retry-After); zero means
	// the policy's backoff.
	After time.Duration
}

// Stop is the verdict for a failure that cannot succeed later.
var Stop = Verdict{}

// Policy bounds the retries of one call. The zero value tries once.
type Policy struct {
	// Attempts is the most tries of one call, the first included.
	Attempts int
	// Base is the first backoff; each further wait doubles it, up to Max.
	// A wait is drawn at random between half the step and the whole of it,
	// so clients that failed together do not retry together.
	Base, Max time.Duration
	// MaxAfter is the longest server-named wait (Retry-After) honoured; a
	// longer one ends the call with its error. Zero: no limit but the
	// context.
	MaxAfter time.Duration
	// OnRetry, when set, is called before each wait with the failure, the
	// number of tries so far and the wait (for logs and metrics).
	OnRetry func(err error, attempt int, wait time.Duration)
	// Sleep waits between tries; nil means Sleep. Only tests over real
	// sockets, which cannot run in a synctest bubble and are not about
	// timing, replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Do calls call until it succeeds, classify says its error cannot succeed
// later, the tries run out, or ctx ends. A wait that would outlast ctx's
// deadline is not started: the call ends at once with its last error. The
// error returned wraps the last try's error, so callers can inspect it with
// errors.As; it also wraps ctx's error when ctx ended during a wait.
func (p Policy) Do(ctx context.Context, call func() error, classify func(error) Verdict) error {
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || attempt >= p.Attempts {
			return err
		}
		v := classify(err)
		if !v.Retry {
			return err
		}
		wait := v.After
		switch {
		case wait <= 0:
			wait = p.Backoff(attempt)
		case p.MaxAfter > 0 && wait > p.MaxAfter:
			return fmt.Errorf("%w (the server asks to wait %s before retrying; giving up)", err, wait)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return fmt.Errorf("%w (no time left to wait %s and retry)", err, wait)
		}
		if p.OnRetry != nil {
			p.OnRetry(err, attempt, wait)
		}
		sleep := p.Sleep
		if sleep == nil {
			sleep = Sleep
		}
		if serr := sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (gave up after %d attempts: %w)", err, attempt, serr)
		}
	}
}

// Backoff is the wait after the given (1-based) failed try: Base doubled
// for each earlier try, at most Max, drawn at random from its upper half.
func (p Policy) Backoff(attempt int) time.Duration {
	d := p.Base
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	if p.Max > 0 {
		d = min(d, p.Max)
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1) // #nosec G404 -- jitter only
}

// Sleep waits d or until ctx ends, returning ctx's error then. The
// retries and the adapters' pacers share it.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Status classifies an HTTP answer: 429 is retried after retryAfter (or
// the backoff when the server named no wait), every 5xx after the backoff,
// anything else not at all. A 5xx is an answer: the server says the request
// failed, so even a post is resent.
func Status(code int, retryAfter time.Duration) Verdict {
	switch {
	case code == http.StatusTooManyRequests:
		return Verdict{Retry: true, After: retryAfter}
	case code >= 500 && code <= 599:
		return Verdict{Retry: true}
	}
	return Stop
}

// Transport classifies a failure to get any answer. A request safe to
// repeat (idempotent) is retried after any connection failure; any other
// only when NotSent shows it never reached the server (see the package
// documentation).
func Transport(err error, idempotent bool) Verdict {
	if errors.Is(err, context.Canceled) {
		return Stop
	}
	if NotSent(err) || (idempotent && connectionFailure(err)) {
		return Verdict{Retry: true}
	}
	return Stop
}

// NotSent reports whether err proves a request never reached the server:
// the connection could not be opened (name lookup, refusal, dial timeout).
func NotSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED)
}

// connectionFailure reports whether err is a broken or timed-out
// connection rather than an answer.
func connectionFailure(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, context.DeadlineExceeded)
}

// ParseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date (relative to now); 0 when absent or unreadable.
func ParseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
