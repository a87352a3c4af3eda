package commands

import (
	"context"
	"sync"
)

// Users the bot has seen: whose requests it handled. An admin who names an
// IT owner the bot has never seen is warned (a typo'd or wrong person would
// silently get every card). The store keeps the record; the core writes it
// once per user per process, so the cost is one write per new user, not one
// per request.

// seenStore is the part of a store that records seen users. A store
// without it (a test fake) makes every user count as seen.
type seenStore interface {
	MarkSeen(ctx context.Context, ws, user string) error
	Seen(ctx context.Context, ws, user string) (bool, error)
}

// maxSeenCache bounds the process's memory of users already recorded;
// past it the memory starts again (a user is then recorded once more).
const maxSeenCache = 100_000

// seenCache remembers who this process has already recorded.
type seenCache struct {
	mu   sync.Mutex
	done map[string]bool // ws + "\x00" + user
}

// markSeen records req's caller as seen, once per process. A failure is
// logged and otherwise ignored: the record is a hint for warnings, and the
// request goes on.
func (c *Core) markSeen(ctx context.Context, req Request) {
	st, ok := c.store.(seenStore)
	if !ok || req.User == "" || req.Workspace == "" {
		return
	}
	key := req.Workspace + "\x00" + req.User
	c.seen.mu.Lock()
	if c.seen.done[key] {
		c.seen.mu.Unlock()
		return
	}
	c.seen.mu.Unlock()
	if err := st.MarkSeen(ctx, req.Workspace, req.User); err != nil {
		c.log.Warn("could not record a user as seen", "workspace", req.Workspace, "user", req.User, "err", err)
		return
	}
	c.seen.mu.Lock()
	if c.seen.done == nil || len(c.seen.done) >= maxSeenCache {
		c.seen.done = make(map[string]bool)
	}
	c.seen.done[key] = true
	c.seen.mu.Unlock()
}

// KnownUser reports whether user has been seen in ws: a configured admin,
// someone whose request the bot handled, a role holder or a raiser of an
// escalation.
func (c *Core) KnownUser(ctx context.Context, ws, user string) (bool, error) {
	if c.admins[user] {
		return true, nil
	}
	st, ok := c.store.(seenStore)
	if !ok {
		return true, nil
	}
	return st.Seen(ctx, ws, user)
}
