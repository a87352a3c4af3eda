package slack

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/bot/retry"
	"github.com/outcomebot/outcomebot/store"
)

// Pacing (manifests/slack/README.md#rate-limits): chat.postMessage allows about one message per
// second per channel, with short bursts, and several hundred per minute per
// workspace. The pacer keeps the bot inside both instead of relying on 429s.
const (
	channelInterval   = time.Second
	channelBurst      = 3
	workspaceInterval = 200 * time.Millisecond // 300 a minute
	workspaceBurst    = 20
)

// bucket is a token bucket expressed as the time at which it is next empty
// of debt: each send moves next forward by interval; a send may go when next
// is at most burst intervals in the future.
type bucket struct {
	next time.Time
	used time.Time
}

// sharedPace books a send in buckets every replica shares (store.Pace) and
// returns how long to wait.
type sharedPace func(ctx context.Context, ws, channel string, now time.Time) (time.Duration, error)

// pacer spaces sends per channel and per workspace. With shared set the
// buckets live in Redis, so replicas together stay inside Slack's limits;
// when Redis cannot answer, this process's own buckets pace it instead
// (Slack's 429s, honoured by the retry, catch what that misses).
type pacer struct {
	now    func() time.Time
	shared sharedPace
	log    *slog.Logger

	mu      sync.Mutex
	buckets map[string]*bucket
	warned  time.Time // last fallback warning, at most one a minute
}

func newPacer(now func() time.Time) *pacer {
	return &pacer{now: now, buckets: map[string]*bucket{}, log: slog.New(slog.DiscardHandler)}
}

// storePace paces on st's shared buckets.
func storePace(st *store.Store) sharedPace {
	return func(ctx context.Context, ws, channel string, now time.Time) (time.Duration, error) {
		return st.Pace(ctx, ws, now,
			store.Limit{Name: "slack:ws", Interval: workspaceInterval, Burst: workspaceBurst},
			store.Limit{Name: "slack:ch:" + channel, Interval: channelInterval, Burst: channelBurst})
	}
}

// wait blocks until one more message may be sent to channel in workspace ws,
// or ctx ends.
func (p *pacer) wait(ctx context.Context, ws, channel string) error {
	d := p.book(ctx, ws, channel)
	if d <= 0 {
		return nil
	}
	return retry.Sleep(ctx, d)
}

// book takes a slot, in the shared buckets when there are any, and
// returns how long to wait for it.
func (p *pacer) book(ctx context.Context, ws, channel string) time.Duration {
	if p.shared != nil {
		d, err := p.shared(ctx, ws, channel, p.now())
		if err == nil {
			return d
		}
		p.mu.Lock()
		warn := p.now().Sub(p.warned) > time.Minute
		if warn {
			p.warned = p.now()
		}
		p.mu.Unlock()
		if warn {
			p.log.Warn("slack: shared pacing unavailable; pacing this replica alone", attrWS(ws), slog.Any("err", err))
		}
	}
	return p.reserve(ws, channel)
}

// reserve takes a slot in both local buckets and returns how long to wait for it.
func (p *pacer) reserve(ws, channel string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if len(p.buckets) > 4096 {
		p.evict(now)
	}
	wsAt := p.take("w\x00"+ws, now, workspaceInterval, workspaceBurst)
	chAt := p.take("c\x00"+ws+"\x00"+channel, now, channelInterval, channelBurst)
	return max(wsAt.Sub(now), chAt.Sub(now))
}

// take books one send in the named bucket and returns when it may go.
func (p *pacer) take(key string, now time.Time, interval time.Duration, burst int) time.Time {
	b := p.buckets[key]
	if b == nil {
		b = &bucket{next: now}
		p.buckets[key] = b
	}
	if b.next.Before(now) {
		b.next = now
	}
	at := b.next.Add(-time.Duration(burst-1) * interval)
	if at.Before(now) {
		at = now
	}
	b.next = b.next.Add(interval)
	b.used = now
	return at
}

// evict drops buckets idle for a minute.
func (p *pacer) evict(now time.Time) {
	for k, b := range p.buckets {
		if now.Sub(b.used) > time.Minute && !b.next.After(now) {
			delete(p.buckets, k)
		}
	}
}
