package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// This file keeps the weekly triage of untagged requests: the workspace's
// triage channel, the once-per-week claim of each channel's triage, and the
// posted triage messages (which requests each lists, so a pick can redraw it).

// scriptTriageChannel sets or clears the triage channel; see
// lua/intake_triage_channel.lua.
var scriptTriageChannel = loadScript("intake_triage_channel.lua")

// triageMessageTTL keeps a triage message's list long enough for late picks.
const triageMessageTTL = 35 * 24 * time.Hour

// triagePostedTTL keeps a week's "posted" mark past the end of the next week.
const triagePostedTTL = 16 * 24 * time.Hour

// SetTriageChannel sets (channel "" clears) the workspace's triage channel
// and returns the previous one, audited, in one atomic round trip.
func (s *Store) SetTriageChannel(ctx context.Context, ws, channel, actor string, at time.Time) (string, error) {
	op := "set triage channel " + channel
	if err := checkWorkspace(ws); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	v, err := s.run(ctx, ws, true, call{
		script: scriptTriageChannel,
		keys:   []string{k.audit(), k.triageConfig()},
		args:   s.auditArgs(actor, msArg(at), channel),
	})
	if err != nil {
		return "", wrap(op, err)
	}
	prev, _ := v.(string)
	return prev, nil
}

// GetTriageSettings reads the workspace's triage settings (zero when unset).
func (s *Store) GetTriageSettings(ctx context.Context, ws string) (record.TriageSettings, error) {
	const op = "get triage settings"
	if err := checkWorkspace(ws); err != nil {
		return record.TriageSettings{}, fmt.Errorf("%s: %w", op, err)
	}
	m, err := s.rdb.HGetAll(ctx, s.keys(ws).triageConfig()).Result()
	if err != nil {
		return record.TriageSettings{}, wrap(op, err)
	}
	return record.TriageSettings{Channel: m["channel"], By: m["by"], At: fromMS(m["at"])}, nil
}

// saveTriageScript numbers and stores a triage message. KEYS: counter.
// ARGV: message key prefix (same hash tag), JSON, TTL ms.
var saveTriageScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
redis.call('SET', ARGV[1] .. n, ARGV[2], 'PX', ARGV[3])
return n`)

// SaveTriageMessage stores m under a new workspace-wide number, kept for
// five weeks, and returns the number. It is bookkeeping of the bot's own
// messages and is not audited. One atomic round trip.
func (s *Store) SaveTriageMessage(ctx context.Context, ws string, m record.TriageMessage) (int64, error) {
	const op = "save triage message"
	if err := checkWorkspace(ws); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	n, err := saveTriageScript.Run(ctx, s.rdb, []string{k.triageSeq()},
		k.triageMessagePrefix(), body, triageMessageTTL.Milliseconds()).Int64()
	if err != nil {
		return 0, wrap(op, err)
	}
	return n, nil
}

// GetTriageMessage reads triage message id; ErrNotFound when unknown or expired.
func (s *Store) GetTriageMessage(ctx context.Context, ws string, id int64) (record.TriageMessage, error) {
	op := fmt.Sprintf("get triage message %d", id)
	if err := checkWorkspace(ws); err != nil {
		return record.TriageMessage{}, fmt.Errorf("%s: %w", op, err)
	}
	return readJSON[record.TriageMessage](s.rdb.Get(ctx, s.keys(ws).triageMessage(id)), op)
}

// claimTriageScript claims a channel's week unless it was posted or another
// holder's lease runs. KEYS: claim, posted. ARGV: holder, lease ms.
var claimTriageScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`)

// ClaimTriage claims the right to post a channel's triage for a week: false
// when it was already posted or another holder's lease (a Redis TTL) runs.
// The holder then posts and calls RecordTriage, or ReleaseTriage on failure.
func (s *Store) ClaimTriage(ctx context.Context, ws, channel, week, holder string, lease time.Duration) (bool, error) {
	op := fmt.Sprintf("claim triage %s for %s", week, channel)
	if err := checkWorkspace(ws); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	n, err := claimTriageScript.Run(ctx, s.rdb, []string{k.triageClaim(week, channel), k.triagePosted(week, channel)},
		holder, lease.Milliseconds()).Int()
	if err != nil {
		return false, wrap(op, err)
	}
	return n == 1, nil
}

// RecordTriage marks a channel's week as posted (so it is never posted
// again) and drops the claim, in one transaction.
func (s *Store) RecordTriage(ctx context.Context, ws, channel, week string, at time.Time) error {
	op := fmt.Sprintf("record triage %s for %s", week, channel)
	if err := checkWorkspace(ws); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, k.triagePosted(week, channel), msArg(at), triagePostedTTL)
		p.Del(ctx, k.triageClaim(week, channel))
		return nil
	})
	return wrap(op, err)
}

// ReleaseTriage gives up a claim this holder owns, so another may post.
func (s *Store) ReleaseTriage(ctx context.Context, ws, channel, week, holder string) error {
	op := fmt.Sprintf("release triage %s for %s", week, channel)
	if err := checkWorkspace(ws); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	err := releaseScript.Run(ctx, s.rdb, []string{s.keys(ws).triageClaim(week, channel)}, holder).Err()
	return wrap(op, err)
}
