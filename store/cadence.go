package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DigestPost records a weekly digest posted to a channel.
type DigestPost struct {
	Week      string    `json:"week"` // ISO week in the channel's zone, e.g. 2026-W48
	At        time.Time `json:"at"`
	MessageID string    `json:"message_id"`
	Late      bool      `json:"late,omitempty"`
	Manual    bool      `json:"manual,omitempty"`
}

func (s *Store) digestClaimKey(ws, channel, week string) string {
	return fmt.Sprintf("%s:{%s}:digest:%s:%s:claim", s.prefix, ws, week, channel)
}

func (s *Store) digestPostedKey(ws, channel, week string) string {
	return fmt.Sprintf("%s:{%s}:digest:%s:%s:posted", s.prefix, ws, week, channel)
}

func (s *Store) digestLastKey(ws string) string {
	return fmt.Sprintf("%s:{%s}:digest:last", s.prefix, ws)
}

// digestRecordTTL keeps a week's record past the end of that week.
const digestRecordTTL = 9 * 24 * time.Hour

// claimDigestScript claims a channel's week unless it was already posted.
// KEYS: claim, posted. ARGV: holder, lease ms.
var claimDigestScript = redis.NewScript(`
if redis.call("exists", KEYS[2]) == 1 then return 0 end
if redis.call("set", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end
return 0`)

// ClaimDigest claims the right to post a channel's digest for a week. It
// fails (false) when the week's digest was already recorded or another
// holder's lease is still running; a lease that ends without a record lets
// the next claimer post.
func (s *Store) ClaimDigest(ctx context.Context, ws, channel, week, holder string, lease time.Duration) (bool, error) {
	n, err := claimDigestScript.Run(ctx, s.rdb, []string{s.digestClaimKey(ws, channel, week), s.digestPostedKey(ws, channel, week)},
		holder, lease.Milliseconds()).Int()
	if err != nil {
		return false, wrap("claim digest", err)
	}
	return n == 1, nil
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

// RecordDigest records the week's post (so it is never repeated) and the
// channel's last post, in one transaction. Manual posts only update the
// last post: they never replace the scheduled one.
func (s *Store) RecordDigest(ctx context.Context, ws, channel string, p DigestPost) error {
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

// LastDigest returns the channel's last digest post; ErrNotFound if none.
func (s *Store) LastDigest(ctx context.Context, ws, channel string) (DigestPost, error) {
	var p DigestPost
	b, err := s.rdb.HGet(ctx, s.digestLastKey(ws), channel).Bytes()
	if errors.Is(err, redis.Nil) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, wrap("read last digest", err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("read last digest: %w", err)
	}
	return p, nil
}
