package cadence

import (
	"context"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/record"
)

// Weekly trend aggregates: the cadence pass writes each workspace's last
// complete UTC week (Monday to Monday) once, and rebuilds from history any
// of the last TrendHorizon weeks that are missing; the digest reads twelve
// of them for its trends.

// TrendStore is what the trends need from the store. The Redis store
// implements it; a Store without it gets digests without trends.
type TrendStore interface {
	TrendWeeks(ctx context.Context, ws string, starts []time.Time, outcomes []string) ([]record.TrendWeek, time.Time, error)
	WriteTrendWeeks(ctx context.Context, ws string, weeks []record.TrendWeek, now time.Time) (int, error)
	ClaimTrends(ctx context.Context, ws, holder string, lease time.Duration) (bool, error)
	ReleaseTrends(ctx context.Context, ws, holder string) error
}

// TrendHorizon is how many past weeks the pass keeps written: two years,
// as long as the aggregates are kept (record.TrendRetention).
const TrendHorizon = 104

// trendStarts returns the starts of the n complete UTC weeks before now,
// oldest first.
func trendStarts(now time.Time, n int) []time.Time {
	last := record.TrendWeekStart(now).AddDate(0, 0, -7)
	out := make([]time.Time, n)
	for i := range n {
		out[i] = last.AddDate(0, 0, -7*(n-1-i))
	}
	return out
}

// runTrends is the pass's trend step for one workspace: once this process
// knows the last complete week is written, later passes that week cost no
// round trip.
func (c *Cadence) runTrends(ctx context.Context, ws string, now time.Time, o DueOptions) error {
	ts, ok := c.store.(TrendStore)
	if !ok {
		return nil
	}
	week := record.TrendWeekStart(now).Format("2006-01-02")
	if o.State.is(trendWeeks, ws, "", week) {
		return nil
	}
	done, err := c.ensureTrends(ctx, ts, ws, now, TrendHorizon, o.Holder, o.Lease)
	if err != nil {
		return fmt.Errorf("trends in %s: %w", ws, err)
	}
	if done {
		o.State.set(trendWeeks, ws, "", week)
	}
	return nil
}

// ensureTrends writes the missing aggregates of the n complete weeks before
// now, from the history the store still has, and reports whether none is
// left missing. Weeks that ended before the workspace's first record are
// gaps, never written. One replica rebuilds at a time (a claim with a
// lease); the others report false and leave it to it. Each week is written
// once: a week already stored is never replaced.
func (c *Cadence) ensureTrends(ctx context.Context, ts TrendStore, ws string, now time.Time, n int, holder string, lease time.Duration) (bool, error) {
	starts := trendStarts(now, n)
	weeks, first, err := ts.TrendWeeks(ctx, ws, starts, nil)
	if err != nil {
		return false, err
	}
	missing := missingWeeks(weeks, first)
	if len(missing) == 0 {
		return true, nil
	}
	claimed, err := ts.ClaimTrends(ctx, ws, holder, lease)
	if err != nil || !claimed {
		return false, err
	}
	defer func() { _ = ts.ReleaseTrends(context.WithoutCancel(ctx), ws, holder) }()
	data, err := c.store.DigestData(ctx, ws, missing[0], now)
	if err != nil {
		return false, err
	}
	written, err := ts.WriteTrendWeeks(ctx, ws, digest.TrendAggregates(data, missing, c.cfg.AckSLA, c.core.HoursFor), now)
	if err != nil {
		return false, err
	}
	c.log.Info("weekly trend aggregates written", "workspace", ws, "weeks", written, "from", missing[0].Format("2006-01-02"))
	return true, nil
}

// missingWeeks are the starts of the weeks without an aggregate that end
// after the first record (none without any record), oldest first.
func missingWeeks(weeks []record.TrendWeek, first time.Time) []time.Time {
	if first.IsZero() {
		return nil
	}
	var out []time.Time
	for _, w := range weeks {
		if w.Missing && w.Start.Add(7*24*time.Hour).After(first) {
			out = append(out, w.Start)
		}
	}
	return out
}

// trendFor reads the digest's weeks for a channel following outcomes (nil:
// all): one round trip, plus a rebuild when a week after the workspace's
// first record is missing (the weekly pass has not run yet). A failure
// leaves the digest without trends, never without its numbers.
func (c *Cadence) trendFor(ctx context.Context, ws string, outcomes []string, now time.Time) []record.TrendWeek {
	ts, ok := c.store.(TrendStore)
	if !ok {
		return nil
	}
	starts := trendStarts(now, digest.TrendWeeks)
	weeks, first, err := ts.TrendWeeks(ctx, ws, starts, outcomes)
	if err == nil && len(missingWeeks(weeks, first)) > 0 {
		var done bool
		done, err = c.ensureTrends(ctx, ts, ws, now, digest.TrendWeeks, "digest", DefaultDigestLease)
		if err == nil && done {
			weeks, _, err = ts.TrendWeeks(ctx, ws, starts, outcomes)
		}
	}
	if err != nil {
		c.log.Warn("digest trends not read; the digest goes out without them", "workspace", ws, "err", err)
		return nil
	}
	return weeks
}
