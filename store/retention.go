package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Retention: resolved escalations and requests that nobody touched since a
// cutoff are deleted with every index entry that names them, so Redis does
// not grow without bound. It is a sweep, not EXPIRE on the records:
//
//   - a record's index entries are sorted-set members, which cannot expire
//     on their own, so EXPIRE on a hash would leave index entries naming
//     deleted records (a digest or an export would read holes);
//   - a sweep decides with the record's own fields (state, resolved_at,
//     updated) inside one Lua script per record, so a request re-tagged or
//     an escalation changed between the read and the delete is kept;
//   - the write paths (tag, intake, escalate, ack, resolve) stay as they are.
//
// What a sweep removes, per workspace:
//
//   - an escalation resolved at or before the cutoff: its hash and its
//     entries in the raised, acknowledged, resolved, open and raiser
//     indexes. Open and acknowledged escalations are never removed;
//   - a request whose last change ("updated": a tag, an untag or an intake
//     update) is at or before the cutoff: its hash, its tag history, its
//     entry in the request index and in its outcome's set of open requests;
//   - tag-index events at or before the cutoff (only digest windows, which
//     end now and span two weeks, read that index);
//   - audit entries older than the cutoff (the stream is also capped by
//     length when written: XADD MAXLEN ~).
//
// Candidates are found through the time indexes (resolved escalations by
// resolve time, requests by the time they were received), never by a
// keyspace scan; each batch is one pipelined read and one pipeline of
// scripts.

// SweepResult counts what a sweep removed.
type SweepResult struct {
	Escalations  int
	Requests     int
	TagEvents    int
	AuditEntries int
}

// Add adds o to r.
func (r *SweepResult) Add(o SweepResult) {
	r.Escalations += o.Escalations
	r.Requests += o.Requests
	r.TagEvents += o.TagEvents
	r.AuditEntries += o.AuditEntries
}

// sweepBatch is how many candidates a sweep reads per round trip.
const sweepBatch = 500

// expireEscalationScript deletes a resolved escalation and its index
// entries if it is still resolved at or before the cutoff.
// KEYS: escalation hash, raised, acked, resolved, open indexes, the
// raiser's index, the ticket → escalation hash, then the indexes of those
// who joined it. ARGV: number, cutoff ms, raiser, ticket ("" none).
// Returns 1 when deleted, 0 when kept.
var expireEscalationScript = redis.NewScript(`
local rec = redis.call('HMGET', KEYS[1], 'state', 'resolved_at', 'raised_by')
if rec[1] then
  if rec[1] ~= 'resolved' or tonumber(rec[2] or '0') > tonumber(ARGV[2]) or rec[3] ~= ARGV[3] then
    return 0
  end
  redis.call('DEL', KEYS[1])
end
for i = 2, 6 do redis.call('ZREM', KEYS[i], ARGV[1]) end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[7], ARGV[4]) == ARGV[1] then
  redis.call('HDEL', KEYS[7], ARGV[4])
end
for i = 8, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1`)

// expireRequestScript deletes a request untouched since the cutoff, with
// its history and index entries, if it is still untouched and still tagged
// to the outcome the caller read.
// KEYS: request hash, history, request index, [the outcome's open set].
// ARGV: ref, cutoff ms, outcome ("" when none).
// Returns 1 when deleted, 0 when kept.
var expireRequestScript = redis.NewScript(`
local rec = redis.call('HMGET', KEYS[1], 'updated', 'first_seen', 'outcome')
if rec[1] or rec[2] then
  local touched = tonumber(rec[1] or rec[2] or '0') or 0
  if touched > tonumber(ARGV[2]) or (rec[3] or '') ~= ARGV[3] then
    return 0
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if KEYS[4] then redis.call('SREM', KEYS[4], ARGV[1]) end
return 1`)

// Sweep removes what retention allows in workspace ws: escalations
// resolved and requests last changed at or before cutoff, with their index
// entries, and tag-index events and audit entries older than cutoff (see
// the comment above SweepResult). It is safe to run concurrently with
// commands and with other sweeps: each record is checked and removed in
// one script.
func (s *Store) Sweep(ctx context.Context, ws string, cutoff time.Time) (SweepResult, error) {
	op := "retention sweep of " + ws
	if err := checkWorkspace(ws); err != nil {
		return SweepResult{}, fmt.Errorf("%s: %w", op, err)
	}
	var res SweepResult
	var err error
	if res.Escalations, err = s.sweepEscalations(ctx, ws, cutoff); err != nil {
		return res, wrap(op, err)
	}
	if res.Requests, err = s.sweepRequests(ctx, ws, cutoff); err != nil {
		return res, wrap(op, err)
	}
	k := s.keys(ws)
	var tags, audit *redis.IntCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		tags = p.ZRemRangeByScore(ctx, k.tagIndex(), "-inf", msArg(cutoff))
		audit = p.XTrimMinIDApprox(ctx, k.audit(), msArg(cutoff), 0)
		return nil
	})
	res.TagEvents, res.AuditEntries = int(tags.Val()), int(audit.Val())
	return res, wrap(op, err)
}

// sweepEscalations removes escalations resolved at or before cutoff.
func (s *Store) sweepEscalations(ctx context.Context, ws string, cutoff time.Time) (int, error) {
	k := s.keys(ws)
	removed := 0
	for kept := int64(0); ; {
		ns, err := s.rdb.ZRangeByScore(ctx, k.resolvedIndex(), &redis.ZRangeBy{
			Min: "-inf", Max: msArg(cutoff), Offset: kept, Count: sweepBatch,
		}).Result()
		if err != nil || len(ns) == 0 {
			return removed, err
		}
		recs := make([]*redis.SliceCmd, len(ns))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, n := range ns {
				recs[i] = p.HMGet(ctx, k.escalationPrefix()+n, "raised_by", "ref", "also")
			}
			return nil
		}); err != nil && !errors.Is(err, redis.Nil) {
			return removed, err
		}
		calls := make([]call, len(ns))
		for i, n := range ns {
			raiser, ref, also := sliceString(recs[i].Val(), 0), sliceString(recs[i].Val(), 1), sliceString(recs[i].Val(), 2)
			keys := []string{k.escalationPrefix() + n, k.raisedIndex(), k.ackedIndex(), k.resolvedIndex(),
				k.openIndex(), k.raisedByIndex(raiser), k.escalationByRef()}
			for _, a := range decodeAlso(also) {
				keys = append(keys, k.raisedByIndex(a.By))
			}
			calls[i] = call{script: expireEscalationScript, keys: keys, args: []any{n, msArg(cutoff), raiser, ref}}
		}
		done, err := s.runScripts(ctx, calls)
		if err != nil {
			return removed, err
		}
		removed += done
		kept += int64(len(ns) - done)
		if len(ns) < sweepBatch {
			return removed, nil
		}
	}
}

// sweepRequests removes requests last changed at or before cutoff. Every
// request is in the request index, scored by when it was received, which
// is never after its last change; so the candidates are the entries scored
// at or before cutoff.
func (s *Store) sweepRequests(ctx context.Context, ws string, cutoff time.Time) (int, error) {
	k := s.keys(ws)
	removed := 0
	for kept := int64(0); ; {
		refs, err := s.rdb.ZRangeByScore(ctx, k.newRequestIndex(), &redis.ZRangeBy{
			Min: "-inf", Max: msArg(cutoff), Offset: kept, Count: sweepBatch,
		}).Result()
		if err != nil || len(refs) == 0 {
			return removed, err
		}
		recs := make([]*redis.SliceCmd, len(refs))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, ref := range refs {
				recs[i] = p.HMGet(ctx, k.request(ref), "updated", "first_seen", "outcome")
			}
			return nil
		}); err != nil {
			return removed, err
		}
		var calls []call
		for i, ref := range refs {
			if c, ok := s.expireRequestCall(k, ref, recs[i].Val(), cutoff); ok {
				calls = append(calls, c)
			}
		}
		done, err := s.runScripts(ctx, calls)
		if err != nil {
			return removed, err
		}
		removed += done
		kept += int64(len(refs) - done)
		if len(refs) < sweepBatch {
			return removed, nil
		}
	}
}

// expireRequestCall builds the script call for a request whose fields
// (updated, first_seen, outcome) were read as vals, or false when the
// request was changed after cutoff and is kept.
func (s *Store) expireRequestCall(k keyspace, ref string, vals []any, cutoff time.Time) (call, bool) {
	field := func(i int) string {
		if i < len(vals) {
			if v, ok := vals[i].(string); ok {
				return v
			}
		}
		return ""
	}
	touched := field(0)
	if touched == "" {
		touched = field(1)
	}
	if t, err := strconv.ParseInt(touched, 10, 64); err == nil && t > ms(cutoff) {
		return call{}, false
	}
	outcome := field(2)
	keys := []string{k.request(ref), k.history(ref), k.newRequestIndex()}
	if outcome != "" {
		keys = append(keys, k.tagged(outcome))
	}
	return call{script: expireRequestScript, keys: keys, args: []any{ref, msArg(cutoff), outcome}}, true
}

// runScripts runs calls in one pipeline of EVALSHA, then sends those the
// server did not know (NOSCRIPT: a restarted server, or a cluster node that
// never ran them) again with EVAL, and counts the calls that answered 1.
func (s *Store) runScripts(ctx context.Context, calls []call) (int, error) {
	cmds, err := s.evalAll(ctx, calls, false)
	if err != nil && !redis.HasErrorPrefix(err, "NOSCRIPT") {
		return 0, err
	}
	var again []call
	var at []int
	for i, c := range cmds {
		if redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			again, at = append(again, calls[i]), append(at, i)
		}
	}
	if len(again) > 0 {
		retried, err := s.evalAll(ctx, again, true)
		if err != nil {
			return 0, err
		}
		for j, i := range at {
			cmds[i] = retried[j]
		}
	}
	n := 0
	for _, c := range cmds {
		if v, _ := c.Int(); v == 1 {
			n++
		}
	}
	return n, nil
}

// evalAll sends calls in one pipeline, with EVAL when eval is set, else
// EVALSHA.
func (s *Store) evalAll(ctx context.Context, calls []call, eval bool) ([]*redis.Cmd, error) {
	cmds := make([]*redis.Cmd, len(calls))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range calls {
			if eval {
				cmds[i] = c.script.Eval(ctx, p, c.keys, c.args...)
			} else {
				cmds[i] = c.script.EvalSha(ctx, p, c.keys, c.args...)
			}
		}
		return nil
	})
	return cmds, err
}

// sweepLeaseRelease releases the sweep lease only if holder still owns it.
var sweepLeaseRelease = redis.NewScript(`
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`)

// SweepAll sweeps every workspace once (Sweep with cutoff) if no other
// process holds the sweep lease: the lease ("<prefix>:retention:lease",
// SET NX with a TTL) keeps replicas from doing the same work at the same
// time, and is released when done. ran is false when another holder had
// it. A workspace that fails does not stop the others; the errors are
// joined.
func (s *Store) SweepAll(ctx context.Context, cutoff time.Time, holder string, lease time.Duration) (res SweepResult, ran bool, err error) {
	key := s.prefix + ":retention:lease"
	ok, err := s.rdb.SetNX(ctx, key, holder, lease).Result()
	if err != nil || !ok {
		return res, false, wrap("take retention sweep lease", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = sweepLeaseRelease.Run(ctx, s.rdb, []string{key}, holder).Err()
	}()
	wss, err := s.Workspaces(ctx)
	if err != nil {
		return res, true, err
	}
	var errs []error
	for _, ws := range wss {
		r, err := s.Sweep(ctx, ws, cutoff)
		res.Add(r)
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return res, true, errors.Join(errs...)
}

// sliceString is v[i] as a string ("" when absent or not a string).
func sliceString(v []any, i int) string {
	if i >= len(v) {
		return ""
	}
	s, _ := v[i].(string)
	return s
}
