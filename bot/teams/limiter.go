package teams

import (
	"context"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/bot/retry"
)

// window is one rate limit: at most n sends in any span of length per.
type window struct {
	per time.Duration
	n   int
}

// teamsSendLimits are Teams' per-bot, per-conversation limits for sending
// (manifests/teams/README.md#rate-limits): 7 per second, 8 per 2 s, 60 per 30 s.
// The hourly 1,800 is far above anything outcomebot sends to one place.
var teamsSendLimits = []window{{time.Second, 7}, {2 * time.Second, 8}, {30 * time.Second, 60}}

// convLimiter paces sends per conversation so that every window holds. It
// reserves a slot for each caller, in arrival order, and makes the caller
// wait for it. It counts only this process's sends: with several replicas
// the connector's 429s (retried with backoff) catch the rest. It is safe for
// concurrent use.
type convLimiter struct {
	windows []window
	keep    int // longest n: how many past sends each conversation remembers

	mu   sync.Mutex
	sent map[string][]time.Time // per conversation, reserved send times in order
}

func newConvLimiter(windows []window) *convLimiter {
	keep := 0
	for _, w := range windows {
		keep = max(keep, w.n)
	}
	return &convLimiter{windows: windows, keep: keep, sent: map[string][]time.Time{}}
}

// Wait blocks until key may send again, or ctx is done.
func (l *convLimiter) Wait(ctx context.Context, key string) error {
	d := l.reserve(key)
	if d <= 0 {
		return nil
	}
	return retry.Sleep(ctx, d)
}

// reserve books the earliest slot for key and returns how long to wait for it.
func (l *convLimiter) reserve(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	past := l.sent[key]
	at := now
	if len(past) > 0 && past[len(past)-1].After(at) {
		at = past[len(past)-1] // keep arrival order
	}
	for _, w := range l.windows {
		if len(past) >= w.n {
			// The send n back must have left the window.
			if t := past[len(past)-w.n].Add(w.per); t.After(at) {
				at = t
			}
		}
	}
	past = append(past, at)
	if len(past) > l.keep {
		past = append(past[:0], past[len(past)-l.keep:]...)
	}
	l.sent[key] = past
	l.sweep(now)
	return at.Sub(now)
}

// sweep forgets conversations idle longer than the longest window, once the
// map grows; called with mu held.
func (l *convLimiter) sweep(now time.Time) {
	if len(l.sent) < 1024 {
		return
	}
	longest := time.Duration(0)
	for _, w := range l.windows {
		longest = max(longest, w.per)
	}
	for k, past := range l.sent {
		if now.Sub(past[len(past)-1]) > longest {
			delete(l.sent, k)
		}
	}
}
