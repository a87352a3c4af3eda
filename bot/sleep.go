package bot

import (
	"context"
	"time"
)

// Sleep waits d or until ctx ends, returning ctx's error then. The
// adapters' pacers share it; retries wait in bot/retry.
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
