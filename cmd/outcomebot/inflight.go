package main

import (
	"context"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// postQuiet is how long no scheduler post may be in flight before shutdown
// stops the scheduler: a digest's lead and its thread are posted back to
// back, and stopping between them would leave the thread unposted.
const postQuiet = 300 * time.Millisecond

// inflight counts the scheduler's posts in flight, so shutdown can let a
// digest or reminder being sent finish instead of cutting its HTTP call
// (a cut call may have been delivered; the released claim would then post
// it twice).
type inflight struct {
	mu   sync.Mutex
	n    int
	last time.Time // when the last post ended
}

func (f *inflight) begin() {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
}

func (f *inflight) end() {
	f.mu.Lock()
	f.n--
	f.last = time.Now()
	f.mu.Unlock()
}

// active returns the posts in flight now.
func (f *inflight) active() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// waitIdle returns once no post has been in flight for quiet, or with
// ctx's error when ctx ends first.
func (f *inflight) waitIdle(ctx context.Context, quiet time.Duration) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		f.mu.Lock()
		idle := f.n == 0 && time.Since(f.last) >= quiet
		f.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// track returns p with its calls counted.
func (f *inflight) track(p commands.Poster) commands.Poster { return trackedPoster{p: p, f: f} }

// trackedPoster is a Poster whose calls are counted in flight.
type trackedPoster struct {
	p commands.Poster
	f *inflight
}

var (
	_ commands.Poster       = trackedPoster{}
	_ commands.DirectPoster = trackedPoster{}
)

// Post posts through the wrapped Poster.
func (t trackedPoster) Post(ctx context.Context, to commands.Destination, msg commands.Response) (commands.MessageRef, error) {
	t.f.begin()
	defer t.f.end()
	return t.p.Post(ctx, to, msg)
}

// Update updates through the wrapped Poster.
func (t trackedPoster) Update(ctx context.Context, ref commands.MessageRef, ws string, msg commands.Response) error {
	t.f.begin()
	defer t.f.end()
	return t.p.Update(ctx, ref, ws, msg)
}

// PostDirect messages a user: with the wrapped Poster's PostDirect when it
// has one, else by posting to the user id, as the scheduler would.
func (t trackedPoster) PostDirect(ctx context.Context, ws, user string, msg commands.Response) (commands.MessageRef, error) {
	t.f.begin()
	defer t.f.end()
	return commands.PostDirect(ctx, t.p, ws, user, msg)
}
