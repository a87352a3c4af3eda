package commands

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/robfig/cron/v3"
)

// This file is the weekly cadence: when each leadership channel's digest is
// due (slot math that survives daylight saving), and the pass that sends
// what is due — ladder steps and digests — once across replicas.

// LateAfter is how long after its slot a digest counts as late.
const LateAfter = 15 * time.Minute

// Defaults of DueOptions.
const (
	DefaultDigestLease   = 5 * time.Minute
	DefaultDigestWorkers = 16
	DefaultRetryBase     = time.Minute
	DefaultRetryMax      = 30 * time.Minute
	DefaultNotifyAfter   = 3
)

// ErrUndeliverable marks a post the platform refused for good: the bot was
// removed from the channel, or the channel was archived or deleted. Posters
// wrap it (or DueOptions.Permanent recognises their own errors). Such a
// digest is retried only every DueOptions.RetryMax, and its subscriber is
// told at once.
var ErrUndeliverable = errors.New("the platform refuses the bot's messages there")

// IsUndeliverable is the default DueOptions.Permanent: err wraps
// ErrUndeliverable, or an error with a Permanent() method that says so.
// Everything else (429s, 5xx, timeouts, unknown errors) is retried with
// backoff until the end of the week.
func IsUndeliverable(err error) bool {
	var p interface{ Permanent() bool }
	return errors.Is(err, ErrUndeliverable) || (errors.As(err, &p) && p.Permanent())
}

// DirectPoster is an optional Poster capability: a direct message from the
// bot to one user. The cadence uses it to tell a subscriber that their
// channel's digest is failing; without it the notice is posted with
// Destination.Channel set to the user id, which Slack's chat.postMessage
// delivers as a direct message from the bot.
type DirectPoster interface {
	PostDirect(ctx context.Context, workspace, user string, msg Response) (MessageRef, error)
}

// WeekOf names the ISO week of t in its location, e.g. "2026-W48".
func WeekOf(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// SlotThisWeek returns the latest scheduled digest time at or before now
// within now's ISO week in loc; ok is false when this week's slot is still
// ahead. Only this week counts: a missed slot of last week is never due.
// Slots follow WeekSlots, so a daylight-saving change never drops one.
func SlotThisWeek(spec string, loc *time.Location, now time.Time) (slot time.Time, ok bool, err error) {
	sched, err := parseSchedule(spec)
	if err != nil {
		return time.Time{}, false, err
	}
	slot, ok = latestSlot(weekSlots(sched, loc, now), time.Time{}, now)
	return slot, ok, nil
}

// WeekSlots returns the scheduled digest times of at's ISO week in loc, in
// order: the wall-clock times spec names on the calendar days of that week.
// A time that a daylight-saving change skips (02:30 on a spring-forward
// night) falls as many minutes after the jump as it was after the skipped
// hour began (02:30 → 03:30), never dropped; a time it repeats (01:30 on a
// fall-back night) counts once, at its first occurrence. A CRON_TZ prefix
// in spec is ignored: each channel's own zone applies.
func WeekSlots(spec string, loc *time.Location, at time.Time) ([]time.Time, error) {
	sched, err := parseSchedule(spec)
	if err != nil {
		return nil, err
	}
	return weekSlots(sched, loc, at), nil
}

// NextSlot returns the first scheduled digest time after now in loc, by
// WeekSlots' rules, looking up to eight years ahead.
func NextSlot(spec string, loc *time.Location, now time.Time) (time.Time, error) {
	sched, err := parseSchedule(spec)
	if err != nil {
		return time.Time{}, err
	}
	at := now.In(loc)
	for range 53 * 8 {
		for _, s := range weekSlots(sched, loc, at) {
			if s.After(now) {
				return s, nil
			}
		}
		y, m, d := mondayOf(at)
		at = wallClock(y, m, d+7, 12, 0, loc)
	}
	return time.Time{}, fmt.Errorf("next digest after %s: schedule %q names no time in the next 8 years", now.Format(time.RFC3339), spec)
}

func parseSchedule(spec string) (cron.Schedule, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("parse digest schedule %q: %w", spec, err)
	}
	return sched, nil
}

// weekSlots lists the slots of at's ISO week in loc (see WeekSlots).
func weekSlots(sched cron.Schedule, loc *time.Location, at time.Time) []time.Time {
	local := at.In(loc)
	week := WeekOf(local)
	y, m, d := mondayOf(local)
	spec, ok := sched.(*cron.SpecSchedule)
	if !ok { // a descriptor such as @every: cron's own stepping
		var out []time.Time
		t := sched.Next(wallClock(y, m, d, 0, 0, loc).Add(-time.Second))
		for n := 0; n < 7*24*60 && WeekOf(t) == week; n++ {
			out = append(out, t)
			t = sched.Next(t)
		}
		return out
	}
	var out []time.Time
	for i := range 7 {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC)
		if !dayMatches(spec, day) {
			continue
		}
		for h := range 24 {
			if spec.Hour&(1<<uint(h)) == 0 {
				continue
			}
			for mi := range 60 {
				if spec.Minute&(1<<uint(mi)) == 0 {
					continue
				}
				if t := wallClock(day.Year(), day.Month(), day.Day(), h, mi, loc); WeekOf(t) == week {
					out = append(out, t)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return dedupeTimes(out)
}

// dayMatches is cron's day rule: with * in day-of-month or day-of-week both
// must match, otherwise either.
func dayMatches(s *cron.SpecSchedule, day time.Time) bool {
	const star = 1 << 63
	if s.Month&(1<<uint(day.Month())) == 0 {
		return false
	}
	dom := s.Dom&(1<<uint(day.Day())) != 0
	dow := s.Dow&(1<<uint(day.Weekday())) != 0
	if s.Dom&star != 0 || s.Dow&star != 0 {
		return dom && dow
	}
	return dom || dow
}

// wallClock returns the instant the clocks in loc show the given wall time:
// the first one when a change repeats it; for a time a change skips, the
// wall time read with the offset in force before the change.
func wallClock(y int, mo time.Month, d, h, mi int, loc *time.Location) time.Time {
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	var best time.Time
	for _, probe := range []time.Time{wall.Add(-36 * time.Hour), wall, wall.Add(36 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		t := wall.Add(-time.Duration(off) * time.Second)
		if sameWall(t.In(loc), wall) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if best.IsZero() {
		_, before := wall.Add(-36 * time.Hour).In(loc).Zone()
		best = wall.Add(-time.Duration(before) * time.Second)
	}
	return best.In(loc)
}

func sameWall(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute()
}

// mondayOf returns the civil date of the Monday of t's ISO week, in t's location.
func mondayOf(t time.Time) (int, time.Month, int) {
	wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
	y, m, d := t.Date()
	return time.Date(y, m, d-wd, 0, 0, 0, 0, time.UTC).Date()
}

func dedupeTimes(ts []time.Time) []time.Time {
	out := ts[:0]
	for i, t := range ts {
		if i == 0 || !t.Equal(out[len(out)-1]) {
			out = append(out, t)
		}
	}
	return out
}

// latestSlot returns the latest slot in [since, now].
func latestSlot(slots []time.Time, since, now time.Time) (time.Time, bool) {
	for i := len(slots) - 1; i >= 0; i-- {
		if s := slots[i]; !s.After(now) {
			return s, !s.Before(since)
		}
	}
	return time.Time{}, false
}

// DueOptions tune a RunDueWith pass. Zero values take the defaults.
type DueOptions struct {
	// Holder names this process in digest claims (required for several
	// replicas to tell their claims apart).
	Holder string
	// Lease is how long a digest claim keeps other replicas off: a holder
	// that dies after claiming lets another post once it ends. Posting one
	// channel's lead message must finish within it.
	Lease time.Duration
	// Workers bounds the digests posted at once, across workspaces.
	Workers int
	// RetryBase and RetryMax bound the backoff after a failed post: the
	// n-th failure of the week waits min(RetryBase·2^(n-1), RetryMax); a
	// permanent failure waits RetryMax.
	RetryBase, RetryMax time.Duration
	// NotifyAfter is the failed attempts after which the subscriber is told
	// (once per channel per week); a permanent failure tells at once.
	NotifyAfter int
	// Permanent says whether a post error will fail again however often it
	// is retried; default IsUndeliverable.
	Permanent func(error) bool
	// Report, if set, is told of every event of the pass, from several
	// goroutines at once.
	Report func(DueEvent)
	// State remembers settled weeks across passes so they cost no Redis
	// round trip; nil keeps nothing.
	State *DueState
}

func (o DueOptions) withDefaults() DueOptions {
	if o.Holder == "" {
		o.Holder = "anonymous"
	}
	if o.Lease <= 0 {
		o.Lease = DefaultDigestLease
	}
	if o.Workers <= 0 {
		o.Workers = DefaultDigestWorkers
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.RetryMax < o.RetryBase {
		o.RetryMax = max(DefaultRetryMax, o.RetryBase)
	}
	if o.NotifyAfter <= 0 {
		o.NotifyAfter = DefaultNotifyAfter
	}
	if o.Permanent == nil {
		o.Permanent = IsUndeliverable
	}
	return o
}

func (o DueOptions) report(e DueEvent) {
	if o.Report != nil {
		o.Report(e)
	}
}

// DueEventKind names what happened in a cadence pass.
type DueEventKind int

// Cadence events.
const (
	// DigestPosted: a scheduled digest went out within LateAfter of its slot.
	DigestPosted DueEventKind = iota + 1
	// DigestPostedLate: a scheduled digest went out later, marked late.
	DigestPostedLate
	// DigestMissed: last week's digest never went out; it is not posted
	// (its numbers are stale). Counted once across replicas.
	DigestMissed
	// DigestFailed: posting failed; it is retried after a backoff until the
	// end of the week (Permanent says whether it looked permanent).
	DigestFailed
	// DigestDetailFailed: the lead went out (and counts as the week's post)
	// but part of its thread did not.
	DigestDetailFailed
	// DigestSubscriberTold: the subscriber was told the digest is failing.
	DigestSubscriberTold
	// LadderSent: an escalation ladder step was posted.
	LadderSent
	// LadderFailed: a claimed ladder step could not be posted everywhere.
	LadderFailed
	// DigestPanicked: sending a digest panicked; it is retried once its
	// claim's lease ends.
	DigestPanicked
)

// DueEvent is one thing that happened in a cadence pass.
type DueEvent struct {
	Kind       DueEventKind
	Workspace  string
	Channel    string
	Week       string // digests: the ISO week in the channel's zone
	Escalation int64  // ladder events
	Attempts   int    // DigestFailed: failed attempts this week
	Permanent  bool   // DigestFailed
	Err        error
}

// DueState remembers, across the passes of one process, which channels'
// weeks are settled (posted, or checked for a miss), so later passes skip
// them without a Redis round trip. Its size is bounded by the number of
// channels. Safe for concurrent use.
type DueState struct {
	mu      sync.Mutex
	posted  map[string]string // ws \x00 channel → week known posted
	checked map[string]string // ws \x00 channel → past week checked for a miss
}

// NewDueState returns an empty DueState.
func NewDueState() *DueState {
	return &DueState{posted: map[string]string{}, checked: map[string]string{}}
}

func (s *DueState) is(m func(*DueState) map[string]string, ws, ch, week string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return m(s)[ws+"\x00"+ch] == week
}

func (s *DueState) set(m func(*DueState) map[string]string, ws, ch, week string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	m(s)[ws+"\x00"+ch] = week
	s.mu.Unlock()
}

func postedWeeks(s *DueState) map[string]string  { return s.posted }
func checkedWeeks(s *DueState) map[string]string { return s.checked }

// RunDue sends everything due at now in every workspace through p: ladder
// steps of open escalations and this week's digests not yet posted. Each is
// claimed in the store first, so however many replicas run it, each is sent
// once. holder names this process in digest claims. It is RunDueWith with
// default options.
func (c *Core) RunDue(ctx context.Context, p Poster, now time.Time, holder string) error {
	return c.RunDueWith(ctx, p, now, DueOptions{Holder: holder})
}

// RunDueWith is one cadence pass at now, the scheduler's fire time (nothing
// below reads a clock): ladder steps per workspace, then every subscribed
// channel whose slot this week has passed since it subscribed and whose
// digest is not yet recorded gets it — late, and marked so, when more than
// LateAfter after the slot. Digests are posted by o.Workers workers taking
// channels round-robin across workspaces, so one slow channel or workspace
// never holds up the rest. A failed post is recorded with a backoff and
// retried by a later pass until the week ends; last week's digest that never
// went out is counted as missed, never posted. The error joins every failure.
func (c *Core) RunDueWith(ctx context.Context, p Poster, now time.Time, o DueOptions) error {
	o = o.withDefaults()
	sched, err := parseSchedule(c.cfg.DigestCron)
	if err != nil {
		return err
	}
	wss, err := c.store.Workspaces(ctx)
	if err != nil {
		return fmt.Errorf("list workspaces: %w", err)
	}
	var errs []error
	plan := newDuePlan(c, sched, now)
	for _, ws := range wss {
		if err := c.runLadder(ctx, p, ws, now, o); err != nil {
			errs = append(errs, err)
		}
		subs, err := c.store.ListSubscriptions(ctx, ws)
		if err != nil {
			errs = append(errs, fmt.Errorf("digests in %s: %w", ws, err))
			continue
		}
		plan.add(ws, subs)
	}
	errs = append(errs, c.fanOut(ctx, p, now, plan.interleaved(), o))
	return errors.Join(errs...)
}

// digestJob is one channel's digest business in a pass, worked out without
// touching Redis.
type digestJob struct {
	ws    string
	sub   record.Subscription
	week  string    // this ISO week in the channel's zone
	slot  time.Time // this week's due slot, when due
	due   bool
	prev  string // last ISO week
	owed  bool   // last week had a slot after the channel subscribed
	local time.Time
}

// duePlan works out each channel's job, computing each zone's slots once.
type duePlan struct {
	c       *Core
	sched   cron.Schedule
	now     time.Time
	slots   map[string][]time.Time // zone \x00 week → slots
	byWS    [][]digestJob
	longest int
}

func newDuePlan(c *Core, sched cron.Schedule, now time.Time) *duePlan {
	return &duePlan{c: c, sched: sched, now: now, slots: map[string][]time.Time{}}
}

// zones caches loaded time zones by name: time.LoadLocation reads and
// parses zone data on every call, and a pass needs every channel's zone.
var zones sync.Map // name → *time.Location

// cachedLocation is c.location through the zones cache.
func (c *Core) cachedLocation(name string) *time.Location {
	if name == "" {
		return c.cfg.DefaultTZ
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return c.cfg.DefaultTZ
	}
	zones.Store(name, loc)
	return loc
}

func (p *duePlan) add(ws string, subs []record.Subscription) {
	jobs := make([]digestJob, 0, len(subs))
	for _, s := range subs {
		loc := p.c.cachedLocation(s.TZ)
		local := p.now.In(loc)
		y, m, d := mondayOf(local)
		lastWeek := wallClock(y, m, d-7, 12, 0, loc)
		j := digestJob{ws: ws, sub: s, week: WeekOf(local), prev: WeekOf(lastWeek), local: local}
		j.slot, j.due = latestSlot(p.weekSlots(loc, local), s.At, p.now)
		prev := p.weekSlots(loc, lastWeek)
		j.owed = len(prev) > 0 && !prev[len(prev)-1].Before(s.At)
		jobs = append(jobs, j)
	}
	p.byWS = append(p.byWS, jobs)
	p.longest = max(p.longest, len(jobs))
}

func (p *duePlan) weekSlots(loc *time.Location, at time.Time) []time.Time {
	key := loc.String() + "\x00" + WeekOf(at)
	s, ok := p.slots[key]
	if !ok {
		s = weekSlots(p.sched, loc, at)
		p.slots[key] = s
	}
	return s
}

// interleaved lists the jobs round-robin across workspaces.
func (p *duePlan) interleaved() []digestJob {
	var out []digestJob
	for i := range p.longest {
		for _, jobs := range p.byWS {
			if i < len(jobs) {
				out = append(out, jobs[i])
			}
		}
	}
	return out
}

// fanOut runs the jobs on o.Workers goroutines.
func (c *Core) fanOut(ctx context.Context, p Poster, now time.Time, jobs []digestJob, o DueOptions) error {
	work := make(chan digestJob)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range min(o.Workers, len(jobs)) {
		wg.Go(func() {
			for j := range work {
				if err := c.runDigestJobSafely(ctx, p, now, j, o); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
feed:
	for _, j := range jobs {
		select {
		case work <- j:
		case <-ctx.Done():
			errs = append(errs, fmt.Errorf("digest pass stopped: %w", ctx.Err()))
			break feed
		}
	}
	close(work)
	wg.Wait()
	return errors.Join(errs...)
}

// runDigestJobSafely is runDigestJob with a panic (a Poster or renderer
// bug) turned into an error: a worker goroutine's panic would otherwise
// kill the process, out of reach of the scheduler's recovery. The claim,
// if taken, stays until its lease ends; then a later pass retries.
func (c *Core) runDigestJobSafely(ctx context.Context, p Poster, now time.Time, j digestJob, o DueOptions) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("digest panicked", "workspace", j.ws, "channel", j.sub.Channel, "week", j.week,
				"panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("digest %s for %s in %s panicked: %v", j.week, j.sub.Channel, j.ws, r)
			o.report(DueEvent{Kind: DigestPanicked, Workspace: j.ws, Channel: j.sub.Channel, Week: j.week, Err: err})
		}
	}()
	return c.runDigestJob(ctx, p, now, j, o)
}

// runDigestJob counts last week's miss, if any, and sends this week's
// digest if it is due and not known to be posted.
func (c *Core) runDigestJob(ctx context.Context, p Poster, now time.Time, j digestJob, o DueOptions) error {
	err := c.checkMissed(ctx, j, o)
	if !j.due || o.State.is(postedWeeks, j.ws, j.sub.Channel, j.week) {
		return err
	}
	marks := DigestInput{Late: now.Sub(j.slot) > LateAfter}
	return errors.Join(err, c.sendScheduled(ctx, p, j.ws, j.sub, j.week, j.slot, now, marks, o))
}

// checkMissed counts last week's digest as missed, once across replicas,
// when the channel was owed one and it was never recorded.
func (c *Core) checkMissed(ctx context.Context, j digestJob, o DueOptions) error {
	ch := j.sub.Channel
	if !j.owed || o.State.is(checkedWeeks, j.ws, ch, j.prev) {
		return nil
	}
	first, err := c.store.MarkDigestMissed(ctx, j.ws, ch, j.prev)
	if err != nil {
		return fmt.Errorf("check digest %s for %s in %s: %w", j.prev, ch, j.ws, err)
	}
	o.State.set(checkedWeeks, j.ws, ch, j.prev)
	if first {
		c.log.Warn("weekly digest missed: not posted now, its numbers are stale",
			"workspace", j.ws, "channel", ch, "week", j.prev)
		o.report(DueEvent{Kind: DigestMissed, Workspace: j.ws, Channel: ch, Week: j.prev})
	}
	return nil
}

// sendScheduled posts a channel's digest for week once: claim, build as of
// `asOf`, post the lead, record it, then post its thread. A failed lead is
// recorded with a backoff (and the subscriber told when it keeps failing or
// cannot succeed); a lead that went out is never posted again, even when
// its thread fails.
func (c *Core) sendScheduled(ctx context.Context, p Poster, ws string, sub record.Subscription, week string, asOf, now time.Time, marks DigestInput, o DueOptions) error {
	ch := sub.Channel
	op := fmt.Sprintf("digest %s for %s in %s", week, ch, ws)
	claim, err := c.store.ClaimDigestAt(ctx, ws, ch, week, o.Holder, o.Lease, now)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch claim {
	case record.DigestAlreadyPosted:
		o.State.set(postedWeeks, ws, ch, week)
		return nil
	case record.DigestClaimed:
	default:
		return nil
	}
	detached := context.WithoutCancel(ctx) // settle the claim even when ctx ends
	leaseCtx, cancel := context.WithTimeout(ctx, o.Lease-o.Lease/10)
	defer cancel()
	to := Destination{Workspace: ws, Channel: ch}
	msg, err := c.digestFor(leaseCtx, ws, ch, asOf, marks)
	var ref MessageRef
	if err == nil {
		lead := msg
		lead.Thread = nil
		ref, err = p.Post(leaseCtx, to, lead)
		if err != nil && ctx.Err() == nil {
			return c.digestFailed(detached, p, ws, sub, week, now, err, o)
		}
	}
	if err != nil { // the store failed, or we are shutting down: let the next pass retry
		_ = c.store.ReleaseDigest(detached, ws, ch, week, o.Holder)
		return fmt.Errorf("%s: %w", op, err)
	}
	post := record.DigestPost{Week: week, At: now, MessageID: ref.ID, Late: marks.Late}
	if err := c.recordPost(detached, ws, ch, post, o.Lease); err != nil {
		// Posted but not recorded: the claim stays until its lease ends.
		c.log.Error("digest posted but not recorded: it may be posted again when the claim lapses",
			"workspace", ws, "channel", ch, "week", week, "message", ref.ID, "err", err)
		return fmt.Errorf("%s: record: %w", op, err)
	}
	o.State.set(postedWeeks, ws, ch, week)
	kind := DigestPosted
	if marks.Late {
		kind = DigestPostedLate
	}
	o.report(DueEvent{Kind: kind, Workspace: ws, Channel: ch, Week: week})
	c.log.Info("digest posted", "workspace", ws, "channel", ch, "week", week, "late", marks.Late, "message", ref.ID)
	if err := postThread(ctx, p, to, ref, msg.Thread); err != nil {
		c.log.Warn("digest detail not posted", "workspace", ws, "channel", ch, "week", week, "err", err)
		o.report(DueEvent{Kind: DigestDetailFailed, Workspace: ws, Channel: ch, Week: week, Err: err})
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// recordPost records a posted digest, retrying while Redis is unavailable
// for up to half the lease: an unrecorded post could be repeated.
func (c *Core) recordPost(ctx context.Context, ws, ch string, post record.DigestPost, lease time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, lease/2)
	defer cancel()
	wait := 50 * time.Millisecond
	for {
		err := c.store.RecordDigest(ctx, ws, ch, post)
		if err == nil || !errors.Is(err, record.ErrUnavailable) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// digestFailed records a failed post with its backoff, tells the
// subscriber when it is permanent or keeps failing, and returns the error.
func (c *Core) digestFailed(ctx context.Context, p Poster, ws string, sub record.Subscription, week string, now time.Time, postErr error, o DueOptions) error {
	ch := sub.Channel
	permanent := o.Permanent(postErr)
	base := o.RetryBase
	if permanent {
		base = o.RetryMax
	}
	f, err := c.store.FailDigest(ctx, ws, ch, week, o.Holder, now, base, o.RetryMax)
	if err != nil {
		_ = c.store.ReleaseDigest(ctx, ws, ch, week, o.Holder)
		return fmt.Errorf("digest %s for %s in %s: %w", week, ch, ws, errors.Join(postErr, err))
	}
	ref := errorRef()
	c.log.Warn("digest not posted; retrying later this week", "workspace", ws, "channel", ch, "week", week,
		"attempts", f.Attempts, "permanent", permanent, "retry_at", f.RetryAt, "ref", ref, "err", postErr)
	o.report(DueEvent{Kind: DigestFailed, Workspace: ws, Channel: ch, Week: week, Attempts: f.Attempts, Permanent: permanent, Err: postErr})
	if permanent || f.Attempts >= o.NotifyAfter {
		c.tellSubscriber(ctx, p, ws, sub, week, permanent, f.Attempts, ref, o)
	}
	return fmt.Errorf("digest %s for %s in %s (attempt %d): %w", week, ch, ws, f.Attempts, postErr)
}

// tellSubscriber tells the admin who subscribed the channel, once per
// channel per week, that its digest is failing: by direct message when the
// Poster can (DirectPoster), else by posting to the user id.
func (c *Core) tellSubscriber(ctx context.Context, p Poster, ws string, sub record.Subscription, week string, permanent bool, attempts int, ref string, o DueOptions) {
	ch := sub.Channel
	if sub.By == "" {
		return
	}
	first, err := c.store.ClaimDigestNotice(ctx, ws, ch, week)
	if err != nil || !first {
		return
	}
	msg := Response{Visibility: InChannel, Text: failureNotice(ch, permanent, attempts, o.RetryMax, ref)}
	if dp, ok := p.(DirectPoster); ok {
		_, err = dp.PostDirect(ctx, ws, sub.By, msg)
	} else {
		_, err = p.Post(ctx, Destination{Workspace: ws, Channel: sub.By}, msg)
	}
	if err != nil {
		c.log.Warn("could not tell the subscriber their digest is failing", "workspace", ws, "channel", ch, "user", sub.By, "err", err)
		return
	}
	o.report(DueEvent{Kind: DigestSubscriberTold, Workspace: ws, Channel: ch, Week: week})
}

// failureNotice is the text of the subscriber's notice: no raw error text,
// only a reference to the logged one.
func failureNotice(ch string, permanent bool, attempts int, retryMax time.Duration, ref string) string {
	if permanent {
		return fmt.Sprintf("This week's outcome digest could not be posted in %s: the channel refuses the bot's messages "+
			"(the bot may have been removed, or the channel archived). Invite the bot back to the channel, or run %s there. "+
			"The bot tries again every %s until the end of the week (ref %s).",
			ChannelLink(ch), Code("/digest unsubscribe"), durationText(retryMax), ref)
	}
	return fmt.Sprintf("This week's outcome digest for %s has failed %d times: the chat platform is rate limiting the bot or unavailable. "+
		"The bot keeps retrying until the end of the week; nothing to do unless it stays this way (ref %s).",
		ChannelLink(ch), attempts, ref)
}

func errorRef() string {
	b := make([]byte, 2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SendDigest posts a channel's digest for now's week once: claim, post the
// lead and its thread, record (see sendScheduled; it uses the default
// DueOptions with holder). A manual post (marks.Manual) skips the claim and
// never replaces the scheduled one.
func (c *Core) SendDigest(ctx context.Context, p Poster, ws, channel string, now time.Time, marks DigestInput, holder string) error {
	if marks.Manual {
		return c.sendManual(ctx, p, ws, channel, now, marks)
	}
	sub, err := c.store.GetSubscription(ctx, ws, channel)
	if err != nil && !errors.Is(err, record.ErrNotFound) {
		return fmt.Errorf("digest for %s in %s: %w", channel, ws, err)
	}
	sub.Channel = channel
	week := WeekOf(now.In(c.location(sub.TZ)))
	return c.sendScheduled(ctx, p, ws, sub, week, now, now, marks, DueOptions{Holder: holder}.withDefaults())
}

// sendManual posts a digest asked for by hand: no claim, recorded only as
// the channel's last post, so the week's scheduled digest still goes out.
func (c *Core) sendManual(ctx context.Context, p Poster, ws, channel string, now time.Time, marks DigestInput) error {
	msg, err := c.digestFor(ctx, ws, channel, now, marks)
	if err != nil {
		return fmt.Errorf("manual digest for %s in %s: %w", channel, ws, err)
	}
	ref, err := PostThreaded(ctx, p, Destination{Workspace: ws, Channel: channel}, msg)
	if err != nil && ref.ID == "" {
		return fmt.Errorf("manual digest for %s in %s: %w", channel, ws, err)
	}
	sub, _ := c.store.GetSubscription(ctx, ws, channel)
	week := WeekOf(now.In(c.location(sub.TZ)))
	rerr := c.store.RecordDigest(ctx, ws, channel, record.DigestPost{Week: week, At: now, MessageID: ref.ID, Manual: true})
	c.log.Info("manual digest posted", "workspace", ws, "channel", channel, "week", week, "message", ref.ID)
	if err = errors.Join(err, rerr); err != nil {
		return fmt.Errorf("manual digest for %s in %s: %w", channel, ws, err)
	}
	return nil
}

// ChannelDigest builds a channel's digest as of now, as its subscription
// says (all outcomes in the default zone when it has none), without posting
// or recording anything.
func (c *Core) ChannelDigest(ctx context.Context, ws, channel string, now time.Time, marks DigestInput) (Response, error) {
	return c.digestFor(ctx, ws, channel, now, marks)
}

// ChannelZone returns the time zone a channel's digest follows.
func (c *Core) ChannelZone(sub record.Subscription) *time.Location { return c.location(sub.TZ) }

// PostThreaded posts msg and then its Thread responses as replies under it.
func PostThreaded(ctx context.Context, p Poster, to Destination, msg Response) (MessageRef, error) {
	thread := msg.Thread
	msg.Thread = nil
	ref, err := p.Post(ctx, to, msg)
	if err != nil {
		return ref, err
	}
	return ref, postThread(ctx, p, to, ref, thread)
}

// postThread posts parts as replies under ref.
func postThread(ctx context.Context, p Poster, to Destination, ref MessageRef, parts []Response) error {
	for _, part := range parts {
		sub := to
		sub.Thread = ref.ID
		if _, err := p.Post(ctx, sub, part); err != nil {
			return fmt.Errorf("post digest detail: %w", err)
		}
	}
	return nil
}

// digestStatusLines says when the channel's next digest is due, whether
// this week's is still owed, and what was posted last.
func (c *Core) digestStatusLines(ctx context.Context, ws string, sub record.Subscription, now time.Time) ([]string, error) {
	loc := c.location(sub.TZ)
	const layout = "Mon 2 Jan 15:04 MST"
	var lines []string
	next, err := NextSlot(c.cfg.DigestCron, loc, now)
	if err != nil {
		lines = append(lines, "The digest schedule is misconfigured ("+Code(c.cfg.DigestCron)+"); tell whoever runs outcomebot.")
	} else {
		lines = append(lines, "Next digest: "+next.In(loc).Format(layout)+" ("+loc.String()+").")
	}
	local := now.In(loc)
	if sched, err := parseSchedule(c.cfg.DigestCron); err == nil {
		if slot, due := latestSlot(weekSlots(sched, loc, local), sub.At, now); due {
			_, err := c.store.DigestPosted(ctx, ws, sub.Channel, WeekOf(local))
			if errors.Is(err, record.ErrNotFound) {
				lines = append(lines, "This week's digest (due "+slot.In(loc).Format(layout)+") has not gone out yet; the bot keeps trying until the end of the week.")
			} else if err != nil {
				return nil, err
			}
		}
	}
	last, err := c.store.LastDigest(ctx, ws, sub.Channel)
	switch {
	case errors.Is(err, record.ErrNotFound):
		lines = append(lines, "No digest has been posted here yet.")
	case err != nil:
		return nil, err
	default:
		var how []string
		if last.Late {
			how = append(how, "late")
		}
		if last.Manual {
			how = append(how, "posted manually")
		}
		if len(how) == 0 {
			how = append(how, "on time")
		}
		lines = append(lines, "Last posted: "+last.At.In(loc).Format(layout)+" (week "+last.Week+", "+strings.Join(how, ", ")+").")
	}
	return lines, nil
}

// runLadder sends the due ladder steps of a workspace's open escalations.
func (c *Core) runLadder(ctx context.Context, p Poster, ws string, now time.Time, o DueOptions) error {
	open, err := c.store.ListEscalations(ctx, ws, record.EscalationFilter{OpenOnly: true, Limit: 10000})
	if err != nil {
		return fmt.Errorf("ladder in %s: %w", ws, err)
	}
	var errs []error
	for _, e := range open {
		if e.State != record.StateOpen {
			continue
		}
		oc, err := c.store.GetOutcome(ctx, ws, e.Outcome)
		if err != nil {
			oc = record.Outcome{Key: e.Outcome, Title: e.Outcome}
		}
		step := DueStep(e, EscalationSLA(oc, c.cfg.AckSLA), now)
		if step == StepNone {
			continue
		}
		if err := c.sendStep(ctx, p, ws, e, oc, step, now, o); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sendStep claims a ladder step and posts it where it belongs. The claim
// records the step on the escalation before posting, so a step is sent at
// most once across replicas; a post that fails is logged and reported, not
// retried.
func (c *Core) sendStep(ctx context.Context, p Poster, ws string, e record.Escalation, o record.Outcome, step LadderStep, now time.Time, opts DueOptions) error {
	e, claimed, err := c.store.ClaimReminder(ctx, ws, e.N, int(step), now)
	if err != nil || !claimed {
		return err
	}
	msg := LadderMessage(e, o, step, now, c.cfg.TicketLinks.URL)
	var errs []error
	for _, ch := range c.stepChannels(ctx, ws, e, o, step) {
		to := Destination{Workspace: ws, Channel: ch}
		if step == StepRemind && ch == e.CardChannel {
			to.Thread = e.CardID
		}
		if _, err := p.Post(ctx, to, msg); err != nil {
			errs = append(errs, fmt.Errorf("send %s step %d to %s: %w", escID(e.N), step, ch, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		c.log.Warn("escalation ladder step not posted everywhere", "workspace", ws, "escalation", escID(e.N), "step", int(step), "err", err)
		opts.report(DueEvent{Kind: LadderFailed, Workspace: ws, Escalation: e.N, Err: err})
		return err
	}
	c.log.Info("escalation ladder step sent", "workspace", ws, "escalation", escID(e.N), "step", int(step))
	opts.report(DueEvent{Kind: LadderSent, Workspace: ws, Escalation: e.N})
	return nil
}

// stepChannels: a reminder goes to the IT channel; a raise to every
// leadership channel following the outcome (the IT channel when none does).
func (c *Core) stepChannels(ctx context.Context, ws string, e record.Escalation, o record.Outcome, step LadderStep) []string {
	it := o.ITChannel
	if it == "" {
		it = e.RaisedIn
	}
	if step == StepRemind {
		return []string{it}
	}
	subs, err := c.store.ListSubscriptions(ctx, ws)
	if err != nil {
		return []string{it}
	}
	var out []string
	for _, s := range subs {
		if follows(s, o.Key) {
			out = append(out, s.Channel)
		}
	}
	if len(out) == 0 {
		out = []string{it}
	}
	return out
}

func follows(s record.Subscription, key string) bool {
	if len(s.Outcomes) == 0 {
		return true
	}
	for _, k := range s.Outcomes {
		if k == key {
			return true
		}
	}
	return false
}
