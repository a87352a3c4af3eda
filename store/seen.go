package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// seenUsers is the set of users whose requests the bot has handled in a
// workspace (user ids only). Its name is a fixed segment like "roles".
func (k keyspace) seenUsers() string { return k.base + "seen" }

// MarkSeen records that the bot handled a request of user in ws: one SADD,
// idempotent. It is bookkeeping, not audited.
func (s *Store) MarkSeen(ctx context.Context, ws, user string) error {
	if err := checkWorkspace(ws); err != nil {
		return fmt.Errorf("mark %s seen: %w", user, err)
	}
	return wrap("mark "+user+" seen", s.rdb.SAdd(ctx, s.keys(ws).seenUsers(), user).Err())
}

// Seen reports whether the bot knows user in ws: their requests were
// handled (MarkSeen), they hold a role, or they raised or joined an
// escalation (which covers users active before the seen set existed). One
// pipelined round trip.
func (s *Store) Seen(ctx context.Context, ws, user string) (bool, error) {
	if err := checkWorkspace(ws); err != nil {
		return false, fmt.Errorf("seen %s: %w", user, err)
	}
	k := s.keys(ws)
	var member *redis.BoolCmd
	var exists *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		member = p.SIsMember(ctx, k.seenUsers(), user)
		exists = p.Exists(ctx, k.userRoles(user), k.raisedByIndex(user))
		return nil
	})
	if err != nil {
		return false, wrap("seen "+user, err)
	}
	return member.Val() || exists.Val() > 0, nil
}
