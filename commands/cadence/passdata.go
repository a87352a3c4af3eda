package cadence

import (
	"context"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// passReads shares the digest data one cadence pass reads: every channel
// of a workspace whose digest reads the same span (the same run, and the
// same run two back) gets the one read, so channels due at the same
// instant show the same numbers even when an escalation changes while the
// pass is posting, and a workspace's data is read once per distinct window
// rather than once per channel. A failed read is not kept: the next channel
// reads again. Safe for concurrent use.
type passReads struct {
	mu    sync.Mutex
	reads map[passKey]*passRead
}

type passKey struct {
	ws       string
	from, to int64 // Unix nanoseconds
}

type passRead struct {
	done chan struct{}
	data record.DigestData
	err  error
}

func newPassReads() *passReads { return &passReads{reads: map[passKey]*passRead{}} }

// digestData returns the workspace's data for [from, to), reading it from
// the store only when no other channel of the pass has.
func (p *passReads) digestData(ctx context.Context, st Store, ws string, from, to time.Time) (record.DigestData, error) {
	if p == nil {
		return st.DigestData(ctx, ws, from, to)
	}
	k := passKey{ws: ws, from: from.UnixNano(), to: to.UnixNano()}
	for {
		p.mu.Lock()
		r, ok := p.reads[k]
		if !ok {
			r = &passRead{done: make(chan struct{})}
			p.reads[k] = r
			p.mu.Unlock()
			r.data, r.err = st.DigestData(ctx, ws, from, to)
			if r.err != nil {
				p.mu.Lock()
				delete(p.reads, k)
				p.mu.Unlock()
			}
			close(r.done)
			return r.data, r.err
		}
		p.mu.Unlock()
		select {
		case <-r.done:
		case <-ctx.Done():
			return record.DigestData{}, ctx.Err()
		}
		if r.err == nil {
			return r.data, nil
		}
		// The read this channel waited for failed; try its own.
	}
}
