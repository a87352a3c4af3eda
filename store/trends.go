package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// This file keeps the weekly trend aggregates (record.TrendWeek): one small
// hash per workspace and UTC calendar week, under the workspace's hash tag:
//
//	<prefix>:{ws}:trend:<YYYY-MM-DD>   hash, the week's Monday (UTC)
//	    "_"         the workspace's numbers, drift included
//	    "o:<key>"   one outcome's numbers (outcomes with activity only)
//	<prefix>:{ws}:trend:claim          holder id, PX lease: who rebuilds
//
// Each value is nine decimal integers separated by spaces: tagged, raised,
// acknowledged, resolved, overdue at the week's end, median time to
// acknowledge in ms, acknowledgements, new requests, untagged requests.
// A week's hash expires record.TrendRetention after the week ends (a TTL,
// computed from the caller's clock), so memory is bounded by about 104
// hashes per workspace whatever the history.

// trendTotalField is the workspace row of a week's hash.
const trendTotalField = "_"

func (s *Store) trendWeekKey(ws string, start time.Time) string {
	return fmt.Sprintf("%s:{%s}:trend:%s", s.prefix, ws, start.UTC().Format("2006-01-02"))
}

func (s *Store) trendClaimKey(ws string) string {
	return fmt.Sprintf("%s:{%s}:trend:claim", s.prefix, ws)
}

func trendOutcomeField(key string) string { return "o:" + key }

// writeTrendScript writes a week's hash unless it exists, and sets its TTL:
// the first writer wins, however many replicas compute the same week.
// KEYS: the week's hash. ARGV: ttl ms, then field, value pairs.
var writeTrendScript = redis.NewScript(`
if redis.call("exists", KEYS[1]) == 1 then return 0 end
local n = #ARGV
local i = 2
while i <= n do
  local last = math.min(i + 199, n)
  redis.call("hset", KEYS[1], unpack(ARGV, i, last))
  i = last + 1
end
redis.call("pexpire", KEYS[1], ARGV[1])
return 1`)

// WriteTrendWeek stores a week's aggregate unless one is stored already, in
// one atomic round trip; true when this call wrote it. A week whose
// retention has passed at now (record.TrendRetention after its end) is not
// written and reports false.
func (s *Store) WriteTrendWeek(ctx context.Context, ws string, w record.TrendWeek, now time.Time) (bool, error) {
	n, err := s.WriteTrendWeeks(ctx, ws, []record.TrendWeek{w}, now)
	return n == 1, err
}

// WriteTrendWeeks stores each week's aggregate unless one is stored
// already (each week atomically, as WriteTrendWeek) and returns how many it
// wrote: two round trips however many weeks (the script's load, then one
// pipeline of its runs).
func (s *Store) WriteTrendWeeks(ctx context.Context, ws string, weeks []record.TrendWeek, now time.Time) (int, error) {
	op := "write trend weeks"
	if err := checkWorkspace(ws); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	type write struct {
		key  string
		args []any
	}
	var writes []write
	for _, w := range weeks {
		ttl := w.Start.Add(7 * 24 * time.Hour).Add(record.TrendRetention).Sub(now)
		if ttl < time.Millisecond {
			continue
		}
		args := make([]any, 0, 3+2*len(w.Outcomes))
		args = append(args, ttl.Milliseconds(), trendTotalField, encodeTrend(w.Total))
		for key, c := range w.Outcomes {
			args = append(args, trendOutcomeField(key), encodeTrend(c))
		}
		writes = append(writes, write{s.trendWeekKey(ws, w.Start), args})
	}
	if len(writes) == 0 {
		return 0, nil
	}
	if len(writes) == 1 {
		n, err := writeTrendScript.Run(ctx, s.rdb, []string{writes[0].key}, writes[0].args...).Int()
		return n, wrap(op, err)
	}
	if err := writeTrendScript.Load(ctx, s.rdb).Err(); err != nil {
		return 0, wrap(op, err)
	}
	cmds := make([]*redis.Cmd, len(writes))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, w := range writes {
			cmds[i] = writeTrendScript.EvalSha(ctx, p, []string{w.key}, w.args...)
		}
		return nil
	})
	if err != nil {
		return 0, wrap(op, err)
	}
	written := 0
	for _, c := range cmds {
		if n, _ := c.Int(); n == 1 {
			written++
		}
	}
	return written, nil
}

// TrendWeeks reads the aggregates of the weeks starting at starts (Mondays
// 00:00 UTC) and the time of the workspace's first record still stored
// (the earliest request received, tag or escalation raised; zero when
// there is none), in one pipelined round trip whatever the number of
// weeks. outcomes names the outcome rows to read; nil reads the workspace
// rows only. A week with no stored aggregate comes back Missing.
func (s *Store) TrendWeeks(ctx context.Context, ws string, starts []time.Time, outcomes []string) ([]record.TrendWeek, time.Time, error) {
	op := "read trend weeks"
	if err := checkWorkspace(ws); err != nil {
		return nil, time.Time{}, fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	fields := make([]string, 0, 1+len(outcomes))
	fields = append(fields, trendTotalField)
	for _, o := range outcomes {
		fields = append(fields, trendOutcomeField(o))
	}
	reads := make([]*redis.SliceCmd, len(starts))
	var firsts []*redis.ZSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, st := range starts {
			reads[i] = p.HMGet(ctx, s.trendWeekKey(ws, st), fields...)
		}
		for _, idx := range []string{k.newRequestIndex(), k.tagIndex(), k.raisedIndex()} {
			firsts = append(firsts, p.ZRangeWithScores(ctx, idx, 0, 0))
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, wrap(op, err)
	}
	var first time.Time
	for _, c := range firsts {
		for _, z := range c.Val() {
			at := time.UnixMilli(int64(z.Score)).UTC()
			if first.IsZero() || at.Before(first) {
				first = at
			}
		}
	}
	weeks := make([]record.TrendWeek, len(starts))
	for i, st := range starts {
		w := record.TrendWeek{Start: st.UTC()}
		vals := reads[i].Val()
		total, ok := vals[0].(string)
		if !ok {
			w.Missing = true
			weeks[i] = w
			continue
		}
		w.Total = decodeTrend(total)
		w.Outcomes = make(map[string]record.TrendCounts, len(outcomes))
		for j, key := range outcomes {
			if v, ok := vals[j+1].(string); ok {
				w.Outcomes[key] = decodeTrend(v)
			}
		}
		weeks[i] = w
	}
	return weeks, first, nil
}

// ClaimTrends takes the workspace's trend rebuild for lease unless another
// holder has it, so one replica computes the missing weeks.
func (s *Store) ClaimTrends(ctx context.Context, ws, holder string, lease time.Duration) (bool, error) {
	if err := checkWorkspace(ws); err != nil {
		return false, fmt.Errorf("claim trend rebuild: %w", err)
	}
	ok, err := s.rdb.SetNX(ctx, s.trendClaimKey(ws), holder, lease).Result()
	return ok, wrap("claim trend rebuild", err)
}

// ReleaseTrends gives up this holder's trend rebuild claim.
func (s *Store) ReleaseTrends(ctx context.Context, ws, holder string) error {
	err := releaseScript.Run(ctx, s.rdb, []string{s.trendClaimKey(ws)}, holder).Err()
	return wrap("release trend rebuild", err)
}

// encodeTrend renders counts as the nine integers of a stored row.
func encodeTrend(c record.TrendCounts) string {
	v := [9]int64{int64(c.Tagged), int64(c.Raised), int64(c.Acked), int64(c.Resolved), int64(c.Overdue),
		c.AckMedian.Milliseconds(), int64(c.AckN), int64(c.NewRequests), int64(c.Untagged)}
	var b strings.Builder
	for i, n := range v {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatInt(n, 10))
	}
	return b.String()
}

// decodeTrend parses a stored row; fields it cannot read are zero.
func decodeTrend(s string) record.TrendCounts {
	var v [9]int64
	for i, f := range strings.Fields(s) {
		if i == len(v) {
			break
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err == nil && n >= 0 && n < math.MaxInt32*1000 {
			v[i] = n
		}
	}
	return record.TrendCounts{
		Tagged: int(v[0]), Raised: int(v[1]), Acked: int(v[2]), Resolved: int(v[3]), Overdue: int(v[4]),
		AckMedian: time.Duration(v[5]) * time.Millisecond, AckN: int(v[6]), NewRequests: int(v[7]), Untagged: int(v[8]),
	}
}
