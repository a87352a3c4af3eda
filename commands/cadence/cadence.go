package cadence

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/commands"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/robfig/cron/v3"
)

// This file is the weekly cadence: when each leadership channel's digest is
// due (slot math that survives daylight saving), and the pass that sends
// what is due — ladder steps and digests — once across replicas.

// Cadence is the weekly cadence of the core: the due runner (ladder steps
// and digests), digest sending and the /digest commands. Build it with New.
type Cadence struct {
	core  *commands.Core
	store Store
	cfg   commands.Config
	clock commands.Clock
	log   *slog.Logger
}

// New builds the cadence on core and st, and registers the /digest
// command and its subcommands with core.
func New(core *commands.Core, st Store, log *slog.Logger) *Cadence {
	if log == nil {
		log = slog.Default()
	}
	c := &Cadence{core: core, store: st, cfg: core.Config(), clock: core.Clock(), log: log}
	core.Register(c.definitions())
	return c
}

// LateAfter is how long after its slot a digest counts as late.
const LateAfter = 15 * time.Minute

// Defaults of DueOptions.
const (
	DefaultDigestLease   = 5 * time.Minute
	DefaultDigestWorkers = 16
	DefaultRetryBase     = time.Minute
	DefaultRetryMax      = 30 * time.Minute
	DefaultNotifyAfter   = 3
	DefaultLadderRetries = 60
)

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
	// LadderRetries is how many times a ladder step whose post failed
	// everywhere, for a reason that may pass, is given back to be sent
	// again by a later pass (about one a minute); after that it is given up.
	LadderRetries int
	// Permanent says whether a post error will fail again however often it
	// is retried; default commands.IsUndeliverable.
	Permanent func(error) bool
	// Report, if set, is told of every event of the pass, from several
	// goroutines at once.
	Report func(DueEvent)
	// State remembers settled weeks across passes so they cost no Redis
	// round trip; nil keeps nothing.
	State *DueState

	reads *passReads // the pass's shared digest data (see passReads)
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
	if o.LadderRetries <= 0 {
		o.LadderRetries = DefaultLadderRetries
	}
	if o.Permanent == nil {
		o.Permanent = commands.IsUndeliverable
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
	// LadderFailed: a claimed ladder step could not be posted everywhere,
	// and will not be sent again.
	LadderFailed
	// LadderRetrying: a ladder step's post failed everywhere for a reason
	// that may pass; the step was given back for a later pass.
	LadderRetrying
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
// weeks are settled (posted, or checked for a miss), and which workspaces'
// trend weeks and check-ins are done, so later passes skip
// them without a Redis round trip. Its size is bounded by the number of
// channels. Safe for concurrent use.
type DueState struct {
	mu      sync.Mutex
	posted  map[string]string // ws \x00 channel → week known posted
	checked map[string]string // ws \x00 channel → past week checked for a miss
	trends  map[string]string // ws \x00 → UTC week whose trend aggregates are written (trends.go)
	checkIn map[string]string // ws \x00 → week whose check-ins are all settled (checkin.go)
}

// NewDueState returns an empty DueState.
func NewDueState() *DueState {
	return &DueState{posted: map[string]string{}, checked: map[string]string{}, trends: map[string]string{}, checkIn: map[string]string{}}
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
func trendWeeks(s *DueState) map[string]string   { return s.trends }
func checkInWeeks(s *DueState) map[string]string { return s.checkIn }

// RunDue sends everything due at now in every workspace through p: ladder
// steps of open escalations and this week's digests not yet posted. Each is
// claimed in the store first, so however many replicas run it, each is sent
// once. holder names this process in digest claims. It is RunDueWith with
// default options.
func (c *Cadence) RunDue(ctx context.Context, p commands.Poster, now time.Time, holder string) error {
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
func (c *Cadence) RunDueWith(ctx context.Context, p commands.Poster, now time.Time, o DueOptions) error {
	o = o.withDefaults()
	o.reads = newPassReads()
	sched, err := parseSchedule(c.cfg.DigestCron)
	if err != nil {
		return err
	}
	wss, err := c.store.Workspaces(ctx)
	if err != nil {
		return fmt.Errorf("list workspaces: %w", err)
	}
	var errs []error
	var checkIns []string // workspaces with a leadership channel (checkin.go)
	plan := newDuePlan(c, sched, now)
	for _, ws := range wss {
		if err := c.runLadder(ctx, p, ws, now, o); err != nil {
			errs = append(errs, err)
		}
		if err := c.runTrends(ctx, ws, now, o); err != nil {
			errs = append(errs, err)
		}
		subs, err := c.store.ListSubscriptions(ctx, ws)
		if err != nil {
			errs = append(errs, fmt.Errorf("digests in %s: %w", ws, err))
			continue
		}
		plan.add(ws, subs)
		if len(subs) > 0 {
			checkIns = append(checkIns, ws)
		}
	}
	errs = append(errs, c.fanOut(ctx, p, now, plan.interleaved(), o))
	// After the digests, so owners' direct messages never make one late.
	errs = append(errs, c.runCheckIns(ctx, p, checkIns, now, o))
	return errors.Join(errs...)
}

// digestJob is one channel's digest business in a pass, worked out without
// touching Redis.
type digestJob struct {
	ws    string
	sub   record.Subscription
	week  string    // this ISO week in the channel's zone
	slot  time.Time // this week's due slot, when due
	run   time.Time // this week's run (its first slot), which the digest is as of
	due   bool
	prev  string // last ISO week
	owed  bool   // last week had a slot after the channel subscribed
	local time.Time
}

// duePlan works out each channel's job, computing each zone's slots once.
type duePlan struct {
	c       *Cadence
	sched   cron.Schedule
	now     time.Time
	slots   map[string][]time.Time // zone \x00 week → slots
	byWS    [][]digestJob
	longest int
}

func newDuePlan(c *Cadence, sched cron.Schedule, now time.Time) *duePlan {
	return &duePlan{c: c, sched: sched, now: now, slots: map[string][]time.Time{}}
}

// zones caches loaded time zones by name: time.LoadLocation reads and
// parses zone data on every call, and a pass needs every channel's zone.
var zones sync.Map // name → *time.Location

// cachedLocation is c.location through the zones cache.
func (c *Cadence) cachedLocation(name string) *time.Location {
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
		slots := p.weekSlots(loc, local)
		j.slot, j.due = latestSlot(slots, s.At, p.now)
		if j.due {
			j.run = slots[0]
		}
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
func (c *Cadence) fanOut(ctx context.Context, p commands.Poster, now time.Time, jobs []digestJob, o DueOptions) error {
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
