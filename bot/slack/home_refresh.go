package slack

import (
	"context"
	"sync"
	"time"
)

// Republishing the App Home when an escalation changes. Slack allows
// views.publish about a hundred times a minute per workspace and a burst
// of changes (a lead acknowledging twenty escalations, a ladder pass) may
// concern the same people many times over, so the refresher:
//   - republishes only for people who opened the Home tab before (an
//     app_home_opened event), remembered in memory for homeSeenTTL, at
//     most homeSeenMax of them (the oldest is forgotten first);
//   - coalesces: the first change for a person schedules one publish
//     homeDelay later, and changes until then ride on it, so a person
//     gets at most one publish per homeDelay;
//   - runs at most homePublishers publishes at once.
//
// Opening the tab always publishes at once (and remembers the person).
const (
	homeDelay      = 3 * time.Second
	homeSeenTTL    = 7 * 24 * time.Hour
	homeSeenMax    = 20000
	homePublishers = 4
)

// homeKey is one person in one workspace.
type homeKey struct{ ws, user string }

// homeRefresher schedules App Home republishes; see above.
type homeRefresher struct {
	delay   time.Duration
	now     func() time.Time
	publish func(ws, user string) // runs the publish (in the background)

	mu      sync.Mutex
	seen    map[homeKey]time.Time // who opened the tab, and when
	pending map[homeKey]bool      // a publish is scheduled
	slots   chan struct{}         // bounds concurrent publishes
	stopped bool
}

func newHomeRefresher(now func() time.Time, publish func(ws, user string)) *homeRefresher {
	return &homeRefresher{delay: homeDelay, now: now, publish: publish,
		seen: map[homeKey]time.Time{}, pending: map[homeKey]bool{}, slots: make(chan struct{}, homePublishers)}
}

// opened remembers that user opened their Home tab.
func (r *homeRefresher) opened(ws, user string) {
	if ws == "" || user == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := homeKey{ws, user}
	if _, ok := r.seen[k]; !ok && len(r.seen) >= homeSeenMax {
		r.forgetOldest()
	}
	r.seen[k] = r.now()
}

// forgetOldest drops the expired, else the least recently opened entry
// (called with mu held, only when full).
func (r *homeRefresher) forgetOldest() {
	var oldest homeKey
	var at time.Time
	cutoff := r.now().Add(-homeSeenTTL)
	for k, t := range r.seen {
		if t.Before(cutoff) {
			delete(r.seen, k)
			continue
		}
		if at.IsZero() || t.Before(at) {
			oldest, at = k, t
		}
	}
	if len(r.seen) >= homeSeenMax {
		delete(r.seen, oldest)
	}
}

// touched is the core's escalation watcher: each user's Home tab is
// republished once, homeDelay from now, however many changes come before.
// It never blocks.
func (r *homeRefresher) touched(ws string, users []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	cutoff := r.now().Add(-homeSeenTTL)
	for _, u := range users {
		k := homeKey{ws, u}
		at, ok := r.seen[k]
		if !ok || r.pending[k] {
			continue
		}
		if at.Before(cutoff) {
			delete(r.seen, k)
			continue
		}
		r.pending[k] = true
		time.AfterFunc(r.delay, func() { r.fire(k) })
	}
}

// fire publishes k's Home tab: changes from now on schedule the next one.
func (r *homeRefresher) fire(k homeKey) {
	r.slots <- struct{}{}
	defer func() { <-r.slots }()
	r.mu.Lock()
	delete(r.pending, k)
	stopped := r.stopped
	r.mu.Unlock()
	if !stopped {
		r.publish(k.ws, k.user)
	}
}

// stop ends republishing: scheduled publishes do nothing (Shutdown).
func (r *homeRefresher) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
}

// refreshHome is the refresher's publish: user's Home tab now, bounded in
// time, a panic recovered and logged.
func (a *Adapter) refreshHome(ws, user string) {
	defer a.recoverPanic("slack home refresh")
	ctx, cancel := context.WithTimeout(context.Background(), homeRefreshTimeout)
	defer cancel()
	a.publishHome(ctx, ws, user)
}

// homeRefreshTimeout bounds one republish (retries included).
const homeRefreshTimeout = 30 * time.Second
