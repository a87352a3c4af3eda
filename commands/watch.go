package commands

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// EscalationWatcher is told which people an escalation's change concerns
// (its raiser, those who joined it, its assignee and its outcome's IT
// owner), so an adapter can refresh what it shows them (Slack's App Home).
// It is called on the changing goroutine: it must be quick, never block and
// be safe for concurrent use.
type EscalationWatcher func(ws string, users []string)

// HomePart adds sections to a user's home view (see Core.Home): a leaf
// registers one for what only it knows how to build (the escalation
// queue). The sections come first, in the order the parts were added.
type HomePart func(ctx context.Context, ws, user string, now time.Time) ([]Section, error)

// watchers holds the escalation watchers and home parts; mu guards both.
type watchers struct {
	mu    sync.RWMutex
	fns   []EscalationWatcher
	parts []HomePart
}

// WatchEscalations adds w: it is told of every escalation change from now on.
func (c *Core) WatchEscalations(w EscalationWatcher) {
	c.watch.mu.Lock()
	defer c.watch.mu.Unlock()
	c.watch.fns = append(c.watch.fns, w)
}

// AddHomePart adds p to every home view from now on.
func (c *Core) AddHomePart(p HomePart) {
	c.watch.mu.Lock()
	defer c.watch.mu.Unlock()
	c.watch.parts = append(c.watch.parts, p)
}

// EscalationTouched tells the watchers that an escalation the users are
// concerned with changed. Empty and repeated ids are dropped.
func (c *Core) EscalationTouched(ws string, users ...string) {
	c.watch.mu.RLock()
	fns := c.watch.fns
	c.watch.mu.RUnlock()
	if len(fns) == 0 {
		return
	}
	var uniq []string
	for _, u := range users {
		if u != "" && !slices.Contains(uniq, u) {
			uniq = append(uniq, u)
		}
	}
	if len(uniq) == 0 {
		return
	}
	for _, f := range fns {
		f(ws, uniq)
	}
}

// homeParts returns the registered home parts.
func (c *Core) homeParts() []HomePart {
	c.watch.mu.RLock()
	defer c.watch.mu.RUnlock()
	return c.watch.parts
}

// EscalationPeople are those a change of e concerns: its raiser, those who
// joined it, its assignee and its outcome's IT owner.
func EscalationPeople(e record.Escalation, o record.Outcome) []string {
	users := []string{e.RaisedBy, e.Assignee, o.ITOwner}
	for _, a := range e.Also {
		users = append(users, a.By)
	}
	return users
}
