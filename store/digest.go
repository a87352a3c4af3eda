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

// digestIndexes are the first round trip of DigestData: the outcome keys,
// and the window's slice of every time index plus the open escalations.
type digestIndexes struct {
	outcomes, tags, newRefs             *redis.StringSliceCmd
	raised, acked, resolved, openEscals *redis.StringSliceCmd
}

// digestRecords are the second round trip: the records the indexes name.
type digestRecords struct {
	outcomes    []*redis.MapStringStringCmd
	openTagged  []*redis.IntCmd
	newRequests []*redis.SliceCmd
	escalations []*redis.MapStringStringCmd
}

// DigestData reads the window [from, to) and the open items for the digest
// in two pipelined round trips, whatever the size of the history: first the
// outcome index and the window's range of each time index (ZRANGE BYSCORE)
// with the open escalations; then the outcomes, the count of open requests
// tagged to each (SCARD), the new requests (HMGET) and the escalations
// (HGETALL, each once). NewRequests are the requests received in the
// window from any source (by Request.Received: chat, intake or import),
// with their current outcome. Tags and NewRequests come in time order,
// Escalations by number.
func (s *Store) DigestData(ctx context.Context, ws string, from, to time.Time) (record.DigestData, error) {
	op := fmt.Sprintf("read digest data %s..%s", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	if err := checkWorkspace(ws); err != nil {
		return record.DigestData{}, fmt.Errorf("%s: %w", op, err)
	}
	idx, err := s.readDigestIndexes(ctx, ws, from, to)
	if err != nil {
		return record.DigestData{}, wrap(op, err)
	}
	rec, err := s.readDigestRecords(ctx, ws, idx)
	if err != nil {
		return record.DigestData{}, wrap(op, err)
	}
	d := record.DigestData{
		From:        from,
		To:          to,
		Outcomes:    collectOutcomes(rec.outcomes),
		OpenTagged:  make(map[string]int, len(rec.openTagged)),
		Tags:        decodeTagEvents(idx.tags.Val()),
		NewRequests: make([]record.Request, 0, len(rec.newRequests)),
		Escalations: collectEscalations(rec.escalations),
	}
	for i, key := range idx.outcomes.Val() {
		d.OpenTagged[key] = int(rec.openTagged[i].Val())
	}
	for i, c := range rec.newRequests {
		r := requestFromValues(c.Val())
		if r.Ref == "" {
			r.Ref = idx.newRefs.Val()[i]
		}
		d.NewRequests = append(d.NewRequests, r)
	}
	sort.Slice(d.Escalations, func(i, j int) bool { return d.Escalations[i].N < d.Escalations[j].N })
	return d, nil
}

// readDigestIndexes is DigestData's first round trip.
func (s *Store) readDigestIndexes(ctx context.Context, ws string, from, to time.Time) (digestIndexes, error) {
	k := s.keys(ws)
	window := &redis.ZRangeBy{
		Min: strconv.FormatInt(ms(from), 10),
		Max: "(" + strconv.FormatInt(ms(to), 10),
	}
	var idx digestIndexes
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		idx.outcomes = p.ZRange(ctx, k.outcomeIndex(), 0, -1)
		idx.tags = p.ZRangeByScore(ctx, k.tagIndex(), window)
		idx.newRefs = p.ZRangeByScore(ctx, k.newRequestIndex(), window)
		idx.raised = p.ZRangeByScore(ctx, k.raisedIndex(), window)
		idx.acked = p.ZRangeByScore(ctx, k.ackedIndex(), window)
		idx.resolved = p.ZRangeByScore(ctx, k.resolvedIndex(), window)
		idx.openEscals = p.ZRange(ctx, k.openIndex(), 0, -1)
		return nil
	})
	return idx, err
}

// readDigestRecords is DigestData's second round trip.
func (s *Store) readDigestRecords(ctx context.Context, ws string, idx digestIndexes) (digestRecords, error) {
	k := s.keys(ws)
	var rec digestRecords
	escals := uniqueStrings(idx.raised.Val(), idx.acked.Val(), idx.resolved.Val(), idx.openEscals.Val())
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, key := range idx.outcomes.Val() {
			rec.outcomes = append(rec.outcomes, p.HGetAll(ctx, k.outcome(key)))
			rec.openTagged = append(rec.openTagged, p.SCard(ctx, k.tagged(key)))
		}
		for _, ref := range idx.newRefs.Val() {
			rec.newRequests = append(rec.newRequests, p.HMGet(ctx, k.request(ref), requestFields...))
		}
		for _, n := range escals {
			rec.escalations = append(rec.escalations, p.HGetAll(ctx, k.escalationPrefix()+n))
		}
		return nil
	})
	return rec, err
}

// uniqueStrings concatenates lists, keeping the first of each value.
func uniqueStrings(lists ...[]string) []string {
	seen := make(map[string]bool)
	var out []string
	for _, l := range lists {
		for _, v := range l {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}
