package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/triage"
)

// DefaultTickSpec fires the cadence at the start of every minute.
const DefaultTickSpec = "* * * * *"

// SchedulerOptions tune a Scheduler. Zero values take the defaults.
type SchedulerOptions struct {
	// Holder names this instance in digest claims; default
	// "<hostname>-<pid>-<random>", unique per process.
	Holder string
	// TickSpec is when Run ticks (robfig/cron, 5 fields, UTC); default
	// DefaultTickSpec. Each tick sends whatever is due at its fire time.
	TickSpec string
	// Lease is how long a digest claim keeps other replicas off; default
	// cadence.DefaultDigestLease. Tests use a short one.
	Lease time.Duration
	// Workers bounds the digests posted at once; default
	// cadence.DefaultDigestWorkers.
	Workers int
	// RetryBase and RetryMax bound the backoff after a failed post;
	// defaults cadence.DefaultRetryBase and cadence.DefaultRetryMax.
	RetryBase, RetryMax time.Duration
	// NotifyAfter is the failed attempts after which the subscriber is
	// told; default cadence.DefaultNotifyAfter.
	NotifyAfter int
	// Permanent says whether a post error cannot succeed on retry (bot
	// removed, channel archived); default commands.IsUndeliverable. Pass
	// one that also knows the platforms' own errors.
	Permanent func(error) bool
	// TriageCron is the weekly schedule of the triage of untagged requests
	// (5 fields, in the default zone); "" means the digest's schedule.
	TriageCron string
	// Log receives the scheduler's logs; default slog.Default().
	Log *slog.Logger
}

// Stats counts what an instance did since it started. Summed over replicas
// they give the cluster's totals: each event is counted by the one instance
// that caused it (a missed week by the first to notice it).
type Stats struct {
	Ticks         uint64 // passes run
	TickErrors    uint64 // passes that returned an error (a failure anywhere in them)
	Panics        uint64 // panics recovered: a whole pass's, or one channel's digest
	Posted        uint64 // scheduled digests posted, on time or late
	Late          uint64 // of Posted, those more than cadence.LateAfter after their slot
	Missed        uint64 // past weeks whose digest never went out (not posted late)
	Failed        uint64 // failed digest attempts (each retried later in the week)
	Permanent     uint64 // of Failed, those that looked permanent
	Partial       uint64 // digests whose lead went out but whose thread failed
	Notified      uint64 // subscribers told that their channel's digest is failing
	LadderSent    uint64 // escalation ladder steps sent
	LadderLost    uint64 // ladder steps claimed but not posted everywhere, not to be retried
	LadderRetried uint64 // ladder steps whose post failed everywhere, given back to send again
	LastTick      time.Time
}

// Scheduler runs the weekly cadence on robfig/cron: every tick it calls
// cadence.Cadence.RunDueWith with the tick's fire time, so ladder steps and
// digests go out once across however many replicas share the Redis, and a
// digest whose slot passed while no instance ran is caught up (marked late)
// at start and on every tick until the week ends. Tests drive it with Tick;
// production calls Run.
type Scheduler struct {
	cadence *cadence.Cadence
	triage  *triage.Triage
	posters PosterFor
	clock   commands.Clock
	opts    SchedulerOptions
	log     *slog.Logger
	state   *cadence.DueState

	counts struct {
		ticks, tickErrors, panics, posted, late, missed, failed, permanent,
		partial, notified, ladderSent, ladderLost, ladderRetried atomic.Uint64
		lastTick atomic.Int64 // unix ns
	}

	mu      sync.Mutex
	cancel  context.CancelFunc
	stopped chan struct{}
}

// NewScheduler returns a Scheduler that runs the cadence's due jobs and the
// weekly triage, posting through the Poster
// posters returns for each workspace and reads the time from clock (the
// system clock when nil).
func NewScheduler(cad *cadence.Cadence, tri *triage.Triage, posters PosterFor, clock commands.Clock, opts SchedulerOptions) *Scheduler {
	if clock == nil {
		clock = commands.SystemClock{}
	}
	if opts.Holder == "" {
		opts.Holder = newHolder()
	}
	if opts.TickSpec == "" {
		opts.TickSpec = DefaultTickSpec
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Scheduler{cadence: cad, triage: tri, posters: posters, clock: clock, opts: opts,
		log: opts.Log.With("holder", opts.Holder), state: cadence.NewDueState()}
}

// newHolder names this process uniquely: hostname, pid and a random part.
func newHolder() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Holder returns the id this instance claims digests with.
func (s *Scheduler) Holder() string { return s.opts.Holder }

// Tick runs one cadence pass at `at`, the fire time: nothing below it reads
// a clock. A panic in the pass is recovered and returned as an error.
func (s *Scheduler) Tick(ctx context.Context, at time.Time) (err error) {
	s.counts.ticks.Add(1)
	s.counts.lastTick.Store(at.UnixNano())
	defer func() {
		if r := recover(); r != nil {
			s.counts.panics.Add(1)
			s.log.Error("cadence pass panicked", "at", at, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("cadence pass at %s panicked: %v", at.Format(time.RFC3339), r)
		}
		if err != nil {
			s.counts.tickErrors.Add(1)
		}
	}()
	p := routedPoster{s.posters}
	err = s.cadence.RunDueWith(ctx, p, at, s.dueOptions())
	triage := s.triage.Run(ctx, p, at, triage.Options{Cron: s.opts.TriageCron, Holder: s.opts.Holder})
	return errors.Join(err, triage)
}

func (s *Scheduler) dueOptions() cadence.DueOptions {
	return cadence.DueOptions{
		Holder: s.opts.Holder, Lease: s.opts.Lease, Workers: s.opts.Workers,
		RetryBase: s.opts.RetryBase, RetryMax: s.opts.RetryMax, NotifyAfter: s.opts.NotifyAfter,
		Permanent: s.opts.Permanent, Report: s.count, State: s.state,
	}
}

// count tallies one cadence event.
func (s *Scheduler) count(e cadence.DueEvent) {
	c := &s.counts
	switch e.Kind {
	case cadence.DigestPosted:
		c.posted.Add(1)
	case cadence.DigestPostedLate:
		c.posted.Add(1)
		c.late.Add(1)
	case cadence.DigestMissed:
		c.missed.Add(1)
	case cadence.DigestFailed:
		c.failed.Add(1)
		if e.Permanent {
			c.permanent.Add(1)
		}
	case cadence.DigestDetailFailed:
		c.partial.Add(1)
	case cadence.DigestSubscriberTold:
		c.notified.Add(1)
	case cadence.LadderSent:
		c.ladderSent.Add(1)
	case cadence.LadderFailed:
		c.ladderLost.Add(1)
	case cadence.LadderRetrying:
		c.ladderRetried.Add(1)
	case cadence.DigestPanicked:
		c.panics.Add(1)
	}
}

// Stats returns the instance's counts so far.
func (s *Scheduler) Stats() Stats {
	c := &s.counts
	st := Stats{
		Ticks: c.ticks.Load(), TickErrors: c.tickErrors.Load(), Panics: c.panics.Load(),
		Posted: c.posted.Load(), Late: c.late.Load(), Missed: c.missed.Load(),
		Failed: c.failed.Load(), Permanent: c.permanent.Load(), Partial: c.partial.Load(),
		Notified: c.notified.Load(), LadderSent: c.ladderSent.Load(), LadderLost: c.ladderLost.Load(),
		LadderRetried: c.ladderRetried.Load(),
	}
	if ns := c.lastTick.Load(); ns != 0 {
		st.LastTick = time.Unix(0, ns).UTC()
	}
	return st
}

// ErrRunning is returned by Run when the Scheduler is already running.
var ErrRunning = errors.New("scheduler already running")

// Run ticks once at once (the catch-up at start) and then on TickSpec until
// ctx ends or Stop is called; it returns after the tick in progress, if
// any, has finished. Ticks run under cron.Recover and
// cron.SkipIfStillRunning: a pass still posting when the next is due makes
// that one skip, and a panic never kills the process.
func (s *Scheduler) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	if s.cancel != nil {
		s.mu.Unlock()
		return ErrRunning
	}
	stopped := make(chan struct{})
	s.cancel, s.stopped = cancel, stopped
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cancel, s.stopped = nil, nil
		s.mu.Unlock()
		close(stopped)
	}()

	logger := cronLogger{s.log}
	job := cron.NewChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)).
		Then(cron.FuncJob(func() { s.runTick(ctx) }))
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(logger))
	if _, err := c.AddJob(s.opts.TickSpec, job); err != nil {
		return fmt.Errorf("schedule the cadence on %q: %w", s.opts.TickSpec, err)
	}
	var first sync.WaitGroup
	first.Go(job.Run) // the same skip-if-still-running guard as cron's ticks
	c.Start()
	s.log.Info("cadence scheduler started", "tick", s.opts.TickSpec)
	<-ctx.Done()
	<-c.Stop().Done()
	first.Wait()
	s.log.Info("cadence scheduler stopped")
	return nil
}

// runTick is one cron fire: the pass at the clock's time, its error logged.
func (s *Scheduler) runTick(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	at := s.clock.Now()
	if err := s.Tick(ctx, at); err != nil && ctx.Err() == nil {
		s.log.Warn("cadence pass had failures", "at", at, "err", err)
	}
}

// Stop ends Run and waits for it to return. It does nothing when the
// Scheduler is not running.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	cancel, stopped := s.cancel, s.stopped
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-stopped
}

// cronLogger adapts slog to cron's Logger: its chatter at debug level, its
// errors (recovered panics) as errors.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
