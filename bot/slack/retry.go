package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/bot/retry"
)

// retryPolicy bounds the retries of one Web API call; bot/retry decides
// what is retried (429 after Retry-After, 5xx, connection failures) and
// when a post is resent after a connection failure.
var retryPolicy = retry.Policy{
	Attempts: 5,
	Base:     250 * time.Millisecond,
	Max:      8 * time.Second,
	MaxAfter: time.Minute,
}

// retryVerdict classifies a slack-go error. idempotent marks calls safe to
// repeat (chat.update sets the same content again); posts are not.
func retryVerdict(idempotent bool) func(error) retry.Verdict {
	return func(err error) retry.Verdict {
		var rl *slack.RateLimitedError
		var sc slack.StatusCodeError
		var se slack.SlackErrorResponse
		switch {
		case errors.As(err, &rl):
			return retry.Verdict{Retry: true, After: rl.RetryAfter}
		case errors.As(err, &sc):
			return retry.Status(sc.Code, 0)
		case errors.As(err, &se), errors.Is(err, ErrNotInChannel):
			return retry.Stop // Slack answered: the request was refused
		}
		return retry.Transport(err, idempotent)
	}
}

// retry runs call under retryPolicy. op names the call in errors.
func (p *Poster) retry(ctx context.Context, op string, idempotent bool, call func() error) error {
	pol := retryPolicy
	pol.OnRetry = func(err error, attempt int, wait time.Duration) {
		p.observeRetry(err)
		p.log.LogAttrs(ctx, slog.LevelInfo, "slack call retried",
			slog.String("op", op), slog.Int("attempt", attempt), attrErr(err), slog.Duration("wait", wait))
	}
	if err := pol.Do(ctx, call, retryVerdict(idempotent)); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}
