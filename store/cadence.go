package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// This file keeps the once-per-week state of each leadership channel's
// digest. A week's digest moves through these keys, all under the
// workspace's hash tag so every script touches one Cluster slot:
//
//	<prefix>:{ws}:digest:<week>:<channel>:claim   holder id, PX lease (real time)
//	<prefix>:{ws}:digest:<week>:<channel>:posted  JSON DigestPost: the week is done
//	<prefix>:{ws}:digest:<week>:<channel>:retry   not-before, ms since epoch (caller's clock)
//	<prefix>:{ws}:digest:<week>:<channel>:fails   failed attempts this week
//	<prefix>:{ws}:digest:<week>:<channel>:notice  set once the subscriber was told of failures
//	<prefix>:{ws}:digest:<week>:<channel>:missed  set once the week was counted as missed
//	<prefix>:{ws}:digest:last                     hash channel → JSON DigestPost (latest post)
//
// The claim's lease is a Redis TTL, so a holder that dies lets another take
// over once it ends. The retry time is compared with the time the caller
// passes, not Redis's clock, so a scheduler driven by a simulated clock
// backs off in simulated time.

func (s *Store) digestKey(ws, channel, week, part string) string {
	return fmt.Sprintf("%s:{%s}:digest:%s:%s:%s", s.prefix, ws, week, channel, part)
}

func (s *Store) digestClaimKey(ws, channel, week string) string {
	return s.digestKey(ws, channel, week, "claim")
}

func (s *Store) digestPostedKey(ws, channel, week string) string {
	return s.digestKey(ws, channel, week, "posted")
}

func (s *Store) digestLastKey(ws string) string {
	return fmt.Sprintf("%s:{%s}:digest:last", s.prefix, ws)
}

// digestRecordTTL keeps a week's keys until the end of the following week
// (a week's post can be up to 7 days after its Monday, and the next week's
// scheduler still asks whether it went out), with a day to spare.
const digestRecordTTL = 16 * 24 * time.Hour

// claimDigestScript claims a channel's week unless it was already posted,
// is backing off, or is leased. KEYS: claim, posted, retry. ARGV: holder,
// lease ms, now ms (0: ignore the retry time).
var claimDigestScript = redis.NewScript(`
if redis.call("exists", KEYS[2]) == 1 then return 2 end
local now = tonumber(ARGV[3])
if now > 0 then
  local nb = redis.call("get", KEYS[3])
  if nb and tonumber(nb) > now then return 4 end
end
if redis.call("set", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end
return 3`)

// ClaimDigestAt claims the right to post a channel's digest for a week at
// now: one atomic round trip that checks, in order, that the week's digest
// is not recorded, that no failed attempt asked to wait past now, and that
// no other holder's lease runs, and then takes a lease of the given length
// (a Redis TTL, so a holder that dies without recording or releasing lets
// the next claimer post once it ends). A zero now ignores the retry time.
func (s *Store) ClaimDigestAt(ctx context.Context, ws, channel, week, holder string, lease time.Duration, now time.Time) (record.DigestClaim, error) {
	op := fmt.Sprintf("claim digest %s for %s", week, channel)
	if err := checkWorkspace(ws); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if lease < time.Millisecond {
		return 0, fmt.Errorf("%s: lease %s is shorter than a millisecond", op, lease)
	}
	var nowMS int64
	if !now.IsZero() {
		nowMS = ms(now)
	}
	keys := []string{s.digestClaimKey(ws, channel, week), s.digestPostedKey(ws, channel, week), s.digestKey(ws, channel, week, "retry")}
	n, err := claimDigestScript.Run(ctx, s.rdb, keys, holder, lease.Milliseconds(), nowMS).Int()
	if err != nil {
		return 0, wrap(op, err)
	}
	return record.DigestClaim(n), nil
}

// releaseScript deletes a claim only if this holder still owns it.
var releaseScript = redis.NewScript(`
if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end
return 0`)

// ReleaseDigest gives up a claim this holder owns, so another may post.
func (s *Store) ReleaseDigest(ctx context.Context, ws, channel, week, holder string) error {
	err := releaseScript.Run(ctx, s.rdb, []string{s.digestClaimKey(ws, channel, week)}, holder).Err()
	return wrap("release digest claim", err)
}

// failDigestScript counts a failed attempt, sets the retry time and
// releases the holder's claim. KEYS: claim, retry, fails. ARGV: holder,
// now ms, base ms, max ms, ttl ms.
var failDigestScript = redis.NewScript(`
local n = redis.call("incr", KEYS[3])
redis.call("pexpire", KEYS[3], ARGV[5])
local base, cap = tonumber(ARGV[3]), tonumber(ARGV[4])
local delay = cap
if n <= 40 then delay = math.min(cap, base * 2 ^ (n - 1)) end
local nb = tonumber(ARGV[2]) + math.floor(delay)
redis.call("set", KEYS[2], string.format("%d", nb), "PX", ARGV[5])
if redis.call("get", KEYS[1]) == ARGV[1] then redis.call("del", KEYS[1]) end
return {n, string.format("%d", nb)}`)

// FailDigest records that this holder's attempt at now failed, in one
// atomic round trip: it counts the attempt, sets the week's retry time to
// now + min(base·2^(attempts-1), max) and releases the holder's claim. A
// permanent failure passes base == max to wait the longest at once.
func (s *Store) FailDigest(ctx context.Context, ws, channel, week, holder string, now time.Time, base, max time.Duration) (record.DigestFailure, error) {
	op := fmt.Sprintf("record failed digest %s for %s", week, channel)
	if err := checkWorkspace(ws); err != nil {
		return record.DigestFailure{}, fmt.Errorf("%s: %w", op, err)
	}
	keys := []string{s.digestClaimKey(ws, channel, week), s.digestKey(ws, channel, week, "retry"), s.digestKey(ws, channel, week, "fails")}
	v, err := failDigestScript.Run(ctx, s.rdb, keys, holder, ms(now), base.Milliseconds(), max.Milliseconds(), digestRecordTTL.Milliseconds()).Slice()
	if err != nil {
		return record.DigestFailure{}, wrap(op, err)
	}
	n, _ := v[0].(int64)
	var nb int64
	if str, ok := v[1].(string); ok {
		_, _ = fmt.Sscan(str, &nb)
	}
	return record.DigestFailure{Attempts: int(n), RetryAt: time.UnixMilli(nb).UTC()}, nil
}

// ClaimDigestNotice reports whether the caller is the first to claim
// telling the channel's subscriber that the week's digest is failing, so
// the subscriber is told once per channel per week.
func (s *Store) ClaimDigestNotice(ctx context.Context, ws, channel, week string) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.digestKey(ws, channel, week, "notice"), "1", digestRecordTTL).Result()
	if err != nil {
		return false, wrap(fmt.Sprintf("claim digest notice %s for %s", week, channel), err)
	}
	return ok, nil
}

// markMissedScript marks a week missed unless its digest was posted.
// KEYS: posted, missed. ARGV: ttl ms.
var markMissedScript = redis.NewScript(`
if redis.call("exists", KEYS[1]) == 1 then return 0 end
if redis.call("set", KEYS[2], "1", "NX", "PX", ARGV[1]) then return 1 end
return 0`)

// MarkDigestMissed marks a past week's digest as missed unless it was
// posted; true only for the first caller, so a missed week is counted once
// however many replicas notice it.
func (s *Store) MarkDigestMissed(ctx context.Context, ws, channel, week string) (bool, error) {
	keys := []string{s.digestPostedKey(ws, channel, week), s.digestKey(ws, channel, week, "missed")}
	n, err := markMissedScript.Run(ctx, s.rdb, keys, digestRecordTTL.Milliseconds()).Int()
	if err != nil {
		return false, wrap(fmt.Sprintf("mark digest %s for %s missed", week, channel), err)
	}
	return n == 1, nil
}

// RecordDigest records the week's post (so it is never repeated) and the
// channel's last post, in one transaction. Manual posts only update the
// last post: they never replace the scheduled one.
func (s *Store) RecordDigest(ctx context.Context, ws, channel string, p record.DigestPost) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("record digest: %w", err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		if !p.Manual {
			pipe.Set(ctx, s.digestPostedKey(ws, channel, p.Week), b, digestRecordTTL)
		}
		pipe.HSet(ctx, s.digestLastKey(ws), channel, b)
		return nil
	})
	return wrap("record digest", err)
}

// DigestPosted returns the scheduled post recorded for a channel's week;
// ErrNotFound if none.
func (s *Store) DigestPosted(ctx context.Context, ws, channel, week string) (record.DigestPost, error) {
	return s.readDigestPost(s.rdb.Get(ctx, s.digestPostedKey(ws, channel, week)), "read digest "+week+" for "+channel)
}

// LastDigest returns the channel's last digest post; ErrNotFound if none.
func (s *Store) LastDigest(ctx context.Context, ws, channel string) (record.DigestPost, error) {
	return s.readDigestPost(s.rdb.HGet(ctx, s.digestLastKey(ws), channel), "read last digest")
}

func (s *Store) readDigestPost(cmd *redis.StringCmd, op string) (record.DigestPost, error) {
	return readJSON[record.DigestPost](cmd, op)
}
