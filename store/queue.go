package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/store/record"
)

// OutcomesAndOpen reads a workspace's outcomes (sorted by key) and its
// open escalations (at most limit: the oldest, which are the most overdue;
// returned newest first) in two round trips: both
// indexes in one pipeline, then every record in another. An IT lead's
// queue is built from it.
func (s *Store) OutcomesAndOpen(ctx context.Context, ws string, limit int) ([]record.Outcome, []record.Escalation, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, nil, fmt.Errorf("read queue: %w", err)
	}
	if limit <= 0 {
		limit = defaultListLimit
	}
	k := s.keys(ws)
	var keysCmd, nsCmd *redis.StringSliceCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		keysCmd = p.ZRange(ctx, k.outcomeIndex(), 0, -1)
		nsCmd = p.ZRange(ctx, k.openIndex(), 0, int64(limit)-1) // oldest first: past limit, the newest wait
		return nil
	}); err != nil {
		return nil, nil, wrap("read queue", err)
	}
	keys, ns := keysCmd.Val(), nsCmd.Val()
	if len(keys) == 0 && len(ns) == 0 {
		return []record.Outcome{}, []record.Escalation{}, nil
	}
	ocmds := make([]*redis.MapStringStringCmd, len(keys))
	ecmds := make([]*redis.MapStringStringCmd, len(ns))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			ocmds[i] = p.HGetAll(ctx, k.outcome(key))
		}
		for i, n := range ns {
			ecmds[i] = p.HGetAll(ctx, k.escalationPrefix()+n)
		}
		return nil
	}); err != nil {
		return nil, nil, wrap("read queue", err)
	}
	open := record.EscalationFilter{OpenOnly: true}
	es := []record.Escalation{}
	for _, e := range collectEscalations(ecmds) {
		if open.Matches(e) {
			es = append(es, e)
		}
	}
	sort.SliceStable(es, func(i, j int) bool {
		if !es[i].RaisedAt.Equal(es[j].RaisedAt) {
			return es[i].RaisedAt.After(es[j].RaisedAt)
		}
		return es[i].N > es[j].N
	})
	return collectOutcomes(ocmds), es, nil
}
