package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// MemoryReport is what one workspace's records cost in Redis, from MEMORY
// USAGE (exact: SAMPLES 0), in bytes. Per-record figures include the
// record's share of the indexes that name it.
type MemoryReport struct {
	Requests    int64 // requests in the request index
	Escalations int64 // escalations in the raised index
	// PerRequest: the request hash and its tag history (averaged over the
	// sample), plus the request index, the tag index and the outcomes' open
	// sets divided by the number of requests.
	PerRequest int64
	// PerEscalation: the escalation hash (averaged over the sample), plus the
	// raised, acknowledged, resolved, open and raiser indexes divided by the
	// number of escalations.
	PerEscalation int64
	// Audit is the workspace's audit stream, capped by length.
	Audit int64
}

// Memory measures the workspace's records: the first sample requests and
// escalations (by time) and every index. It is for reports and sizing, not
// for hot paths: it sends one MEMORY USAGE per key.
func (s *Store) Memory(ctx context.Context, ws string, sample int64) (MemoryReport, error) {
	op := "measure memory of " + ws
	if err := checkWorkspace(ws); err != nil {
		return MemoryReport{}, fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	var rep MemoryReport
	var refs, ns, outcomes []string
	var err error
	if rep.Requests, err = s.rdb.ZCard(ctx, k.newRequestIndex()).Result(); err != nil {
		return rep, wrap(op, err)
	}
	if rep.Escalations, err = s.rdb.ZCard(ctx, k.raisedIndex()).Result(); err != nil {
		return rep, wrap(op, err)
	}
	if refs, err = s.rdb.ZRange(ctx, k.newRequestIndex(), 0, sample-1).Result(); err != nil {
		return rep, wrap(op, err)
	}
	if ns, err = s.rdb.ZRange(ctx, k.raisedIndex(), 0, sample-1).Result(); err != nil {
		return rep, wrap(op, err)
	}
	if outcomes, err = s.rdb.ZRange(ctx, k.outcomeIndex(), 0, -1).Result(); err != nil {
		return rep, wrap(op, err)
	}
	if rep.PerRequest, err = s.perRequest(ctx, k, refs, outcomes, rep.Requests); err != nil {
		return rep, wrap(op, err)
	}
	if rep.PerEscalation, err = s.perEscalation(ctx, k, ns, rep.Escalations); err != nil {
		return rep, wrap(op, err)
	}
	rep.Audit, err = s.usage(ctx, k.audit())
	return rep, wrap(op, err)
}

// perRequest is the sampled requests' average plus their index share.
func (s *Store) perRequest(ctx context.Context, k keyspace, refs, outcomes []string, total int64) (int64, error) {
	if len(refs) == 0 || total == 0 {
		return 0, nil
	}
	var own []string
	for _, ref := range refs {
		own = append(own, k.request(ref), k.history(ref))
	}
	shared := []string{k.newRequestIndex(), k.tagIndex()}
	for _, o := range outcomes {
		shared = append(shared, k.tagged(o))
	}
	return s.share(ctx, own, len(refs), shared, total)
}

// perEscalation is the sampled escalations' average plus their index share.
func (s *Store) perEscalation(ctx context.Context, k keyspace, ns []string, total int64) (int64, error) {
	if len(ns) == 0 || total == 0 {
		return 0, nil
	}
	var own []string
	raisers := map[string]bool{}
	for _, n := range ns {
		own = append(own, k.escalationPrefix()+n)
		by, err := s.rdb.HGet(ctx, k.escalationPrefix()+n, "raised_by").Result()
		if err == nil {
			raisers[by] = true
		}
	}
	shared := []string{k.raisedIndex(), k.ackedIndex(), k.resolvedIndex(), k.openIndex()}
	perRaiser := int64(0)
	if len(raisers) > 0 {
		var keys []string
		var members int64
		for by := range raisers {
			keys = append(keys, k.raisedByIndex(by))
			n, err := s.rdb.ZCard(ctx, k.raisedByIndex(by)).Result()
			if err != nil {
				return 0, err
			}
			members += n
		}
		b, err := s.sum(ctx, keys)
		if err != nil {
			return 0, err
		}
		if members > 0 {
			perRaiser = b / members
		}
	}
	n, err := s.share(ctx, own, len(ns), shared, total)
	return n + perRaiser, err
}

// share is sum(own)/count + sum(shared)/total.
func (s *Store) share(ctx context.Context, own []string, count int, shared []string, total int64) (int64, error) {
	a, err := s.sum(ctx, own)
	if err != nil {
		return 0, err
	}
	b, err := s.sum(ctx, shared)
	if err != nil {
		return 0, err
	}
	return a/int64(count) + b/total, nil
}

// sum adds MEMORY USAGE of keys (missing keys count 0), in one pipeline.
func (s *Store) sum(ctx context.Context, keys []string) (int64, error) {
	cmds := make([]*redis.IntCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			cmds[i] = p.MemoryUsage(ctx, key, 0)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, err
	}
	var n int64
	for _, c := range cmds {
		n += c.Val()
	}
	return n, nil
}

// usage is MEMORY USAGE of one key, 0 when missing.
func (s *Store) usage(ctx context.Context, key string) (int64, error) {
	n, err := s.rdb.MemoryUsage(ctx, key, 0).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}
