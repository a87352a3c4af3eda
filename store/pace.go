package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var scriptPace = loadScript("pace.lua")

// Limit is one token bucket of a platform's rate limit: a send every
// Interval on average, with bursts of up to Burst.
type Limit struct {
	Name     string // the bucket, e.g. "slack:ws" or "slack:ch:C123"; scoped to the workspace
	Interval time.Duration
	Burst    int
}

func (k keyspace) pace(name string) string { return k.base + "pace:" + name }

// Pace books one send in workspace ws under every limit, in one round trip,
// and returns how long the caller must wait before sending. The buckets live
// in Redis, so every replica on it shares them: three replicas posting to
// one Slack workspace stay under its cap together. Buckets expire a minute
// after they drain.
func (s *Store) Pace(ctx context.Context, ws string, now time.Time, limits ...Limit) (time.Duration, error) {
	op := "pace sends"
	if err := checkWorkspace(ws); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if len(limits) == 0 {
		return 0, nil
	}
	k := s.keys(ws)
	keys := make([]string, len(limits))
	args := make([]any, 0, 1+2*len(limits))
	args = append(args, now.UnixMilli())
	for i, l := range limits {
		if l.Name == "" || l.Interval <= 0 || l.Burst < 1 {
			return 0, fmt.Errorf("%s: %w", op, errors.New("a limit needs a name, an interval and a burst of at least 1"))
		}
		keys[i] = k.pace(l.Name)
		args = append(args, l.Interval.Milliseconds(), l.Burst)
	}
	v, err := s.run(ctx, ws, false, call{script: scriptPace, keys: keys, args: args})
	if err != nil {
		return 0, wrap(op, err)
	}
	ms, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("%s: unexpected reply %T", op, v)
	}
	return time.Duration(ms) * time.Millisecond, nil
}
