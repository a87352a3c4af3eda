package main

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/bot/metrics"
	"github.com/outcomebot/outcomebot/store"
)

// Retention sweep timing: the first sweep a few minutes after start (so a
// rolling restart does not sweep on every replica at once), then hourly.
// The lease keeps two replicas from sweeping at the same time.
const (
	sweepFirst    = 2 * time.Minute
	sweepEvery    = time.Hour
	sweepLease    = 30 * time.Minute
	sweepDeadline = 25 * time.Minute
)

// sweeper runs store.SweepAll on a timer until stopped.
type sweeper struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// startSweeper sweeps what is older than retention, hourly, as holder.
func startSweeper(st *store.Store, retention time.Duration, holder string, m *metrics.Metrics, log *slog.Logger) *sweeper {
	ctx, cancel := context.WithCancel(context.Background())
	sw := &sweeper{cancel: cancel}
	sw.done.Go(func() {
		wait := sweepFirst + rand.N(sweepFirst) // #nosec G404 -- jitter only
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = sweepEvery
			sweepOnce(ctx, st, retention, holder, m, log)
		}
	})
	return sw
}

// sweepOnce runs one bounded sweep and logs and counts what it removed.
func sweepOnce(ctx context.Context, st *store.Store, retention time.Duration, holder string, m *metrics.Metrics, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, sweepDeadline)
	defer cancel()
	start := time.Now()
	cutoff := start.Add(-retention)
	res, ran, err := st.SweepAll(ctx, cutoff, holder, sweepLease)
	m.Expired("escalation", res.Escalations)
	m.Expired("request", res.Requests)
	if err != nil {
		log.Warn("retention sweep failed", "err", err, "cutoff", cutoff)
	}
	if ran {
		log.Info("retention sweep", "cutoff", cutoff, "escalations", res.Escalations, "requests", res.Requests,
			"tag_events", res.TagEvents, "audit_entries", res.AuditEntries, "took", time.Since(start).String())
	}
}

// stop ends the sweeper and waits for a sweep in progress to stop.
func (sw *sweeper) stop() {
	if sw == nil {
		return
	}
	sw.cancel()
	sw.done.Wait()
}
