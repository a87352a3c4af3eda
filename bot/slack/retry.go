package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"syscall"
	"time"

	"github.com/outcomebot/outcomebot/bot"
	"github.com/slack-go/slack"
)

// Retries (manifests/slack/README.md#rate-limits): only what can succeed later is retried — a
// 429 after its Retry-After, a 5xx or a connection failure after an
// exponential backoff — and never past the caller's context.
const (
	maxAttempts    = 5
	backoffInitial = 250 * time.Millisecond
	backoffMax     = 8 * time.Second
	// retryAfterDefault is used for a 429 that names no delay.
	retryAfterDefault = time.Second
)

// retryWait says whether err is worth retrying and after how long, for the
// given (0-based) attempt.
func retryWait(err error, attempt int) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return max(rl.RetryAfter, retryAfterDefault), true
	}
	backoff := min(backoffInitial<<attempt, backoffMax)
	backoff += rand.N(backoff / 4) // #nosec G404 -- jitter only
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		switch {
		case sc.Code == 429:
			return retryAfterDefault, true
		case sc.Code >= 500:
			return backoff, true
		}
		return 0, false
	}
	if connectionError(err) {
		return backoff, true
	}
	return 0, false
}

// connectionError reports whether err means Slack could not be reached or
// the connection broke (but not that our own context ended).
func connectionError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// retry runs call until it succeeds, fails for good, runs out of attempts,
// or the next wait would outlast ctx. op names the call in errors.
func (p *Poster) retry(ctx context.Context, op string, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		if err == nil {
			return nil
		}
		wait, ok := retryWait(err, attempt)
		if !ok || attempt+1 >= maxAttempts {
			return fmt.Errorf("%s: %w", op, err)
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < wait {
			return fmt.Errorf("%s: %w (no time left to retry after %s)", op, err, wait)
		}
		p.observeRetry(err)
		p.log.LogAttrs(ctx, slog.LevelInfo, "slack call retried",
			slog.String("op", op), attrErr(err), slog.Duration("wait", wait))
		if err := bot.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
}
