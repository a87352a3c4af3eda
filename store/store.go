// Package store keeps outcomebot's state in Redis: outcomes, requests and
// their tag history, escalations, roles, digest subscriptions and the audit
// stream. Every key of a workspace carries the workspace as a Redis Cluster
// hash tag (ob:{T123}:…) so one workspace's keys share a slot, and every
// state change is one atomic round trip (MULTI/EXEC or a Lua script).
package store

import (
	"context"
	"sort"

	"github.com/redis/go-redis/v9"
)

// Options configure a Store.
type Options struct {
	// Prefix starts every key; default "ob".
	Prefix string
	// AuditMaxLen caps each workspace's audit stream (approximate); default 10000.
	AuditMaxLen int64
}

// Store is the Redis-backed state of every workspace.
type Store struct {
	rdb      redis.UniversalClient
	prefix   string
	auditMax int64
	embedded bool // set by Open when it started an in-process miniredis
}

// New returns a Store on rdb.
func New(rdb redis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = "ob"
	}
	if opts.AuditMaxLen <= 0 {
		opts.AuditMaxLen = 10000
	}
	return &Store{rdb: rdb, prefix: opts.Prefix, auditMax: opts.AuditMaxLen}
}

// Client returns the underlying Redis client.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Prefix returns the prefix every key of this store starts with.
func (s *Store) Prefix() string { return s.prefix }

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Close closes the Redis client.
func (s *Store) Close() error { return s.rdb.Close() }

// Embedded reports whether the store runs on an in-process miniredis
// started by Open: state is lost when the process exits.
func (s *Store) Embedded() bool { return s.embedded }

// Workspaces lists every workspace that has state, sorted. It reads the one
// global key, "<prefix>:workspaces", which every first write of a workspace
// (CreateOutcome, Tag, Escalate, Subscribe, Grant) adds to.
func (s *Store) Workspaces(ctx context.Context) ([]string, error) {
	ws, err := s.rdb.SMembers(ctx, s.workspacesKey()).Result()
	if err != nil {
		return nil, wrap("list workspaces", err)
	}
	sort.Strings(ws)
	return ws, nil
}
