package cadence

import (
	"context"
	"time"
)

// EnsureTrends exposes ensureTrends to the benchmarks.
func (c *Cadence) EnsureTrends(ctx context.Context, ws string, now time.Time, weeks int) (bool, error) {
	return c.ensureTrends(ctx, c.store.(TrendStore), ws, now, weeks, "bench", time.Minute)
}
