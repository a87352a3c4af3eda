package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// RequestsReceived returns the requests received in [from, to) by their
// Received time (the new-request index), oldest first, in two pipelined
// round trips.
func (s *Store) RequestsReceived(ctx context.Context, ws string, from, to time.Time) ([]record.Request, error) {
	op := fmt.Sprintf("read requests received %s..%s", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	refs, err := s.rdb.ZRangeByScore(ctx, s.keys(ws).newRequestIndex(), &redis.ZRangeBy{
		Min: strconv.FormatInt(ms(from), 10),
		Max: "(" + strconv.FormatInt(ms(to), 10),
	}).Result()
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := s.readRequests(ctx, ws, refs, false)
	return out, wrap(op, err)
}

// GetRequests reads the named requests in one pipelined round trip, in the
// given order, without history; unknown references are left out.
func (s *Store) GetRequests(ctx context.Context, ws string, refs []string) ([]record.Request, error) {
	op := fmt.Sprintf("get %d requests", len(refs))
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out, err := s.readRequests(ctx, ws, refs, false)
	return out, wrap(op, err)
}

// readRequests reads refs (and their histories when withHistory is set) in
// one pipeline, skipping references with no record.
func (s *Store) readRequests(ctx context.Context, ws string, refs []string, withHistory bool) ([]record.Request, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	k := s.keys(ws)
	fields := make([]*redis.SliceCmd, len(refs))
	hists := make([]*redis.StringSliceCmd, len(refs))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, ref := range refs {
			fields[i] = p.HMGet(ctx, k.request(ref), requestFields...)
			if withHistory {
				hists[i] = p.LRange(ctx, k.history(ref), 0, -1)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]record.Request, 0, len(refs))
	for i, c := range fields {
		r := requestFromValues(c.Val())
		if r.Ref == "" {
			continue // no record (the index and the hash are written together)
		}
		if withHistory {
			r.History = decodeHistory(hists[i].Val())
		}
		out = append(out, r)
	}
	return out, nil
}

// EachRequest calls fn with every request of the workspace, with its tag
// history, in pages of at most page requests (default 500), in the order
// they were received (then by reference). Each page is two round trips, so
// memory stays flat in the number of requests. A request received while
// the walk runs may be missed or, if its time moves, seen twice; an error
// from fn stops the walk and is returned.
func (s *Store) EachRequest(ctx context.Context, ws string, page int, fn func([]record.Request) error) error {
	const op = "walk requests"
	if err := checkWorkspace(ws); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if page <= 0 {
		page = 500
	}
	index := s.keys(ws).newRequestIndex()
	for start := int64(0); ; start += int64(page) {
		refs, err := s.rdb.ZRange(ctx, index, start, start+int64(page)-1).Result()
		if err != nil {
			return wrap(op, err)
		}
		reqs, err := s.readRequests(ctx, ws, refs, true)
		if err != nil {
			return wrap(op, err)
		}
		if len(reqs) > 0 {
			if err := fn(reqs); err != nil {
				return err
			}
		}
		if len(refs) < page {
			return nil
		}
	}
}

// EscalationsByRef returns every escalation of the workspace grouped by
// request reference, each group in number order, read in pages of 500.
func (s *Store) EscalationsByRef(ctx context.Context, ws string) (map[string][]record.Escalation, error) {
	const op = "read escalations by request"
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	const page = 500
	out := make(map[string][]record.Escalation)
	index := s.keys(ws).raisedIndex()
	for start := int64(0); ; start += page {
		ns, err := s.rdb.ZRange(ctx, index, start, start+page-1).Result()
		if err != nil {
			return nil, wrap(op, err)
		}
		es, err := s.readEscalations(ctx, ws, ns)
		if err != nil {
			return nil, wrap(op, err)
		}
		for _, e := range es {
			out[e.Ref] = append(out[e.Ref], e)
		}
		if len(ns) < page {
			break
		}
	}
	for _, es := range out {
		sort.Slice(es, func(i, j int) bool { return es[i].N < es[j].N })
	}
	return out, nil
}
