package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/bot"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.DiscardHandler)

// cluster is several scheduler replicas on one Redis prefix, posting to one
// recording platform.
type cluster struct {
	t        *testing.T
	st       *store.Store // the first replica's store, for setup and checks
	clock    *commandstest.Clock
	poster   *commandstest.Poster
	replicas []*bot.Scheduler
	cores    []*commands.Core
}

// newCluster starts n replicas, each with its own Redis client and core.
func newCluster(t *testing.T, n int, opts bot.SchedulerOptions, p commands.Poster) *cluster {
	t.Helper()
	st := storetest.New(t)
	c := &cluster{t: t, st: st, clock: commandstest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), poster: &commandstest.Poster{}}
	if p == nil {
		p = c.poster
	}
	for i := range n {
		rst := st
		if i > 0 {
			rst = store.New(storetest.Client(t), store.Options{Prefix: st.Prefix()})
		}
		c.addReplica(rst, opts, p)
	}
	return c
}

func (c *cluster) addReplica(st *store.Store, opts bot.SchedulerOptions, p commands.Poster) *bot.Scheduler {
	b := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}, AckSLA: time.Hour}, c.clock, quiet)
	core := b.Core
	opts.Log = quiet
	s := bot.NewScheduler(b.Cadence, b.Triage, bot.OnePoster(p), c.clock, opts)
	c.cores = append(c.cores, core)
	c.replicas = append(c.replicas, s)
	return s
}

func (c *cluster) subscribe(ws, channel, tz string, since time.Time) {
	c.t.Helper()
	if _, err := storetest.Subscribe(context.Background(), c.st, ws, record.Subscription{Channel: channel, TZ: tz, By: "UADMIN", At: since}); err != nil {
		c.t.Fatal(err)
	}
}

// tick runs every replica's pass at `at` concurrently and returns their errors.
func (c *cluster) tick(at time.Time) error {
	c.clock.Set(at)
	errs := make([]error, len(c.replicas))
	var wg sync.WaitGroup
	for i, s := range c.replicas {
		wg.Go(func() { errs[i] = s.Tick(context.Background(), at) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// stats sums the replicas' stats.
func (c *cluster) stats() bot.Stats {
	var sum bot.Stats
	for _, s := range c.replicas {
		st := s.Stats()
		sum.Ticks += st.Ticks
		sum.TickErrors += st.TickErrors
		sum.Posted += st.Posted
		sum.Late += st.Late
		sum.Missed += st.Missed
		sum.Failed += st.Failed
		sum.Notified += st.Notified
		sum.LadderSent += st.LadderSent
		sum.LadderLost += st.LadderLost
		sum.LadderRetried += st.LadderRetried
	}
	return sum
}

// leads counts lead posts (not thread replies) per channel.
func leads(p *commandstest.Poster) map[string]int {
	n := map[string]int{}
	for _, post := range p.Posts() {
		if post.To.Thread == "" && !post.Update {
			n[post.To.Workspace+"/"+post.To.Channel]++
		}
	}
	return n
}

func posted(t *testing.T, st *store.Store, ws, channel, week string) (record.DigestPost, bool) {
	t.Helper()
	p, err := st.DigestPosted(context.Background(), ws, channel, week)
	if errors.Is(err, record.ErrNotFound) {
		return p, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return p, true
}

// TestSchedulerMonth: three replicas tick (every 15 simulated minutes
// around the slots, hourly otherwise) through five weeks that cross both spring changes (New York 8 March,
// Berlin 29 March); 20 channels in 4 zones each get exactly one digest per
// ISO week, on time, at 09:00 Monday local.
func TestSchedulerMonth(t *testing.T) {
	c := newCluster(t, 3, bot.SchedulerOptions{}, nil)
	from := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) // Sunday: every zone's week-9 slot is past
	to := time.Date(2026, 4, 6, 15, 0, 0, 0, time.UTC)   // Monday, after New York's 09:00
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"}
	type channel struct{ ws, id, tz string }
	var chans []channel
	for i := range 20 {
		ch := channel{fmt.Sprintf("T%d", i%2), fmt.Sprintf("C%02d", i), zones[i%4]}
		c.subscribe(ch.ws, ch.id, ch.tz, from)
		chans = append(chans, ch)
	}
	for at := from; !at.After(to); at = at.Add(15 * time.Minute) {
		// Every 15 minutes from Sunday 12:00 to Monday 16:00 UTC, which
		// holds every zone's Monday 09:00; hourly the rest of the week,
		// where a replica must find nothing to do.
		if wd := at.Weekday(); !(wd == time.Sunday && at.Hour() >= 12 || wd == time.Monday && at.Hour() < 16) && at.Minute() != 0 {
			continue
		}
		if err := c.tick(at); err != nil {
			t.Fatalf("tick %s: %v", at, err)
		}
	}
	got := leads(c.poster)
	for _, ch := range chans {
		loc, _ := time.LoadLocation(ch.tz)
		if n := got[ch.ws+"/"+ch.id]; n != 6 {
			t.Errorf("%s (%s): %d digests, want 6", ch.id, ch.tz, n)
		}
		for w := range 6 {
			monday := time.Date(2026, 3, 2+7*w, 9, 0, 0, 0, loc)
			p, ok := posted(t, c.st, ch.ws, ch.id, cadence.WeekOf(monday))
			if !ok || !p.At.Equal(monday) || p.Late {
				t.Errorf("%s (%s) %s: posted %v at %s late %v, want %s", ch.id, ch.tz, cadence.WeekOf(monday), ok, p.At.In(loc), p.Late, monday)
			}
		}
	}
	if s := c.stats(); s.Posted != 120 || s.Late != 0 || s.Failed != 0 || s.Missed != 0 {
		t.Errorf("stats summed over replicas: %+v", s)
	}
}

// TestSchedulerDeadHolder: a replica that claimed the week and died before
// posting holds it off only until its lease ends; then another posts it once.
func TestSchedulerDeadHolder(t *testing.T) {
	lease := 200 * time.Millisecond
	c := newCluster(t, 2, bot.SchedulerOptions{Lease: lease}, nil)
	slot := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	c.subscribe("T1", "CL", "UTC", slot.Add(-24*time.Hour))
	if claim, err := c.st.ClaimDigestAt(context.Background(), "T1", "CL", "2026-W47", "dead-replica", lease, slot); err != nil || claim != record.DigestClaimed {
		t.Fatalf("the doomed replica's claim: %s, %v", claim, err)
	}
	if err := c.tick(slot); err != nil || len(c.poster.Posts()) != 0 {
		t.Fatalf("posted during the dead replica's lease (%d posts, %v)", len(c.poster.Posts()), err)
	}
	time.Sleep(lease + 50*time.Millisecond)
	for _, at := range []time.Time{slot.Add(time.Minute), slot.Add(2 * time.Minute), slot.Add(time.Hour)} {
		if err := c.tick(at); err != nil {
			t.Fatal(err)
		}
	}
	if n := leads(c.poster)["T1/CL"]; n != 1 {
		t.Fatalf("%d digests after the lease, want 1", n)
	}
	if p, _ := posted(t, c.st, "T1", "CL", "2026-W47"); !p.At.Equal(slot.Add(time.Minute)) || p.Late {
		t.Errorf("posted at %s late %v", p.At, p.Late)
	}
}

// proxy forwards TCP to Redis and can be cut and restored on the same address.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *proxy) up() {
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
}

// down refuses new connections and breaks the open ones.
func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestSchedulerRedisDown: Redis is unreachable at the scheduled minute; the
// digest goes out, marked late, when it is back the same week. A week it
// stays down throughout is counted missed once and never posted.
func TestSchedulerRedisDown(t *testing.T) {
	c := newCluster(t, 0, bot.SchedulerOptions{}, nil)
	px := newProxy(t, storetest.Addr())
	rdb := redis.NewClient(&redis.Options{Addr: px.addr, DialTimeout: 200 * time.Millisecond, MaxRetries: 1, DialerRetries: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	s := c.addReplica(store.New(rdb, store.Options{Prefix: c.st.Prefix()}), bot.SchedulerOptions{}, c.poster)
	slot := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	c.subscribe("T1", "CL", "Europe/London", slot.Add(-24*time.Hour))
	ctx := context.Background()

	px.down()
	if err := s.Tick(ctx, slot); !errors.Is(err, record.ErrUnavailable) {
		t.Fatalf("tick with Redis down: %v", err)
	}
	px.up()
	if err := s.Tick(ctx, slot.Add(20*time.Minute)); err != nil {
		t.Fatalf("tick after Redis came back: %v", err)
	}
	if p, ok := posted(t, c.st, "T1", "CL", "2026-W47"); !ok || !p.Late || !p.At.Equal(slot.Add(20*time.Minute)) {
		t.Fatalf("after Redis came back: posted %v %+v", ok, p)
	}
	// Down from before W48's slot until W49.
	px.down()
	for at := slot.Add(7*24*time.Hour - time.Minute); at.Before(slot.Add(7*24*time.Hour + 2*time.Minute)); at = at.Add(time.Minute) {
		_ = s.Tick(ctx, at)
	}
	px.up()
	w49 := slot.Add(14*24*time.Hour - time.Hour)
	if err := s.Tick(ctx, w49); err != nil {
		t.Fatal(err)
	}
	if _, ok := posted(t, c.st, "T1", "CL", "2026-W48"); ok {
		t.Fatal("W48's digest was posted after its week")
	}
	st := s.Stats()
	if st.Missed != 1 || st.Posted != 1 || st.Late != 1 || st.TickErrors != 4 {
		t.Fatalf("stats: %+v", st)
	}
}

// flakyPoster fails some channels' first attempts like a platform under
// load: 429 with Retry-After, or a 5xx.
type flakyPoster struct {
	*commandstest.Poster
	mu       sync.Mutex
	attempts map[string]int
	plan     func(channel string, attempt int) error
	failures int
}

func (f *flakyPoster) Post(ctx context.Context, to commands.Destination, msg commands.Response) (commands.MessageRef, error) {
	if to.Thread == "" {
		f.mu.Lock()
		f.attempts[to.Channel]++
		err := f.plan(to.Channel, f.attempts[to.Channel])
		if err != nil {
			f.failures++
		}
		f.mu.Unlock()
		if err != nil {
			return commands.MessageRef{}, fmt.Errorf("post in %s: %w", to.Channel, err)
		}
	}
	return f.Poster.Post(ctx, to, msg)
}

// platformError is a failed platform call; 429s carry Retry-After.
type platformError struct {
	status     int
	retryAfter time.Duration
}

func (e platformError) Error() string {
	if e.status == 429 {
		return fmt.Sprintf("status 429, retry after %s", e.retryAfter)
	}
	return fmt.Sprintf("status %d", e.status)
}

// Temporary says the call may succeed later.
func (e platformError) Temporary() bool { return true }

// TestScheduler500Channels: 500 channels in two workspaces, a fifth of them
// rate limited and a seventh answering 5xx at first; three replicas post
// every one exactly once, retrying on later ticks.
func TestScheduler500Channels(t *testing.T) {
	fp := &flakyPoster{Poster: &commandstest.Poster{}, attempts: map[string]int{}}
	fp.plan = func(ch string, attempt int) error {
		var i int
		fmt.Sscanf(ch, "C%d", &i)
		switch {
		case i%5 == 0 && attempt == 1:
			return platformError{status: 429, retryAfter: time.Second}
		case i%7 == 0 && attempt <= 2:
			return platformError{status: 502 + i%2}
		}
		return nil
	}
	c := newCluster(t, 3, bot.SchedulerOptions{}, fp)
	slot := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	const n = 500
	perWS := map[string]int{}
	for i := range n {
		ws := "TBIG"
		if i%5 == 4 {
			ws = "TSMALL"
		}
		perWS[ws]++
		c.subscribe(ws, fmt.Sprintf("C%03d", i), "UTC", slot.Add(-24*time.Hour))
	}
	start := time.Now()
	ticks := 0
	for m := 0; len(leads(fp.Poster)) < n && m < 15; m++ {
		_ = c.tick(slot.Add(time.Duration(m) * time.Minute))
		ticks++
	}
	elapsed := time.Since(start)
	got := leads(fp.Poster)
	if len(got) != n {
		t.Fatalf("%d of %d channels posted", len(got), n)
	}
	for ch, k := range got {
		if k != 1 {
			t.Errorf("%s: %d digests", ch, k)
		}
	}
	s := c.stats()
	if s.Posted != n || int(s.Failed) != fp.failures {
		t.Errorf("stats %+v; %d failures injected", s, fp.failures)
	}
	// Pacing floor (manifests/slack/README.md#rate-limits, manifests/teams/README.md#rate-limits): Slack's pacer allows ~300 posts a
	// minute per workspace after a burst of 20; Teams ~50 a second per tenant.
	big := perWS["TBIG"]
	slackFloor := time.Duration(big-20) * 200 * time.Millisecond
	teamsFloor := time.Duration(big) * time.Second / 50
	t.Logf("%d channels (%d in the largest workspace), %d injected failures: all posted once in %s of wall time over %d simulated one-minute ticks "+
		"(scheduler overhead only: the recording poster does not pace). Pacing floor for the largest workspace: Slack ≈ %s, Teams ≈ %s.",
		n, big, fp.failures, elapsed.Round(time.Millisecond), ticks, slackFloor, teamsFloor)
}

// TestSchedulerLadder: with three replicas, an unacknowledged escalation
// gets its reminder and its raise once each; one acknowledged before its
// SLA gets neither; one acknowledged after the reminder is never raised.
func TestSchedulerLadder(t *testing.T) {
	c := newCluster(t, 3, bot.SchedulerOptions{}, nil)
	core := c.cores[0]
	t0 := time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC) // a Tuesday: no digest is due
	do := func(user, channel, line string, at time.Time) {
		t.Helper()
		name, rest := commands.SplitCommand(commandstest.Inbound(line))
		r := core.Handle(context.Background(), commands.Request{Workspace: "T1", Channel: channel, User: user, Command: name, Text: rest, Time: at})
		if strings.Contains(r.Text, "Usage") || strings.Contains(r.Text, "need") || strings.Contains(r.Text, "wrong") {
			t.Fatalf("%s: %s", line, r.Text)
		}
	}
	do("UADMIN", "CGEN", `/outcome add pos "Point of sale" it=<@UIT|it> it-channel=<#CIT|it-pos> sla=1h`, t0.Add(-time.Hour))
	do("UADMIN", "CGEN", `/outcome grant <@UIT|it> it-lead`, t0.Add(-time.Hour))
	do("UADMIN", "CLEAD", `/digest subscribe`, t0.Add(-time.Hour))
	for _, ref := range []string{"INC1", "INC2", "INC3"} {
		do("UBIZ", "CGEN", "/tag "+ref+" pos", t0)
		do("UBIZ", "CGEN", "/escalate "+ref+" tills down", t0)
	}
	do("UIT", "CIT", "/ack E-2 on it", t0.Add(30*time.Minute))
	for at := t0; at.Before(t0.Add(5 * time.Hour)); at = at.Add(15 * time.Minute) {
		if at.Equal(t0.Add(75 * time.Minute)) {
			do("UIT", "CIT", "/ack E-3 on it", at)
		}
		if err := c.tick(at); err != nil {
			t.Fatal(err)
		}
	}
	count := func(channel, esc, word string) int {
		n := 0
		for _, p := range c.poster.Posts() {
			txt := commands.PlainText(p.Message.Text)
			if p.To.Channel == channel && strings.Contains(txt, esc+" ") && strings.HasPrefix(txt, word) {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		esc            string
		remind, raised int
	}{{"E-1", 1, 1}, {"E-2", 0, 0}, {"E-3", 1, 0}} {
		if r, l := count("CIT", tc.esc, "Reminder"), count("CLEAD", tc.esc, "Raised"); r != tc.remind || l != tc.raised {
			t.Errorf("%s: %d reminders (want %d), %d raises (want %d)", tc.esc, r, tc.remind, l, tc.raised)
		}
	}
	if s := c.stats(); s.LadderSent != 3 {
		t.Errorf("ladder steps counted %d, want 3", s.LadderSent)
	}
}

// TestSchedulerLadderRetry: a reminder whose post fails for a reason that
// may pass (Slack 5xx after the poster's own retries) is sent again on
// later ticks, once it gets through, by exactly one of two replicas; one
// the platform refuses for good (bot removed) is lost, reported, and not
// attempted again.
func TestSchedulerLadderRetry(t *testing.T) {
	var mu sync.Mutex
	attempts := map[string]int{}
	p := &commandstest.Poster{Fail: func(to commands.Destination) error {
		mu.Lock()
		defer mu.Unlock()
		attempts[to.Channel]++
		switch {
		case to.Channel == "CIT" && attempts["CIT"] <= 3:
			return errors.New("slack: internal_error (HTTP 503)")
		case to.Channel == "CGONE":
			return fmt.Errorf("post: %w", commands.ErrUndeliverable)
		}
		return nil
	}}
	c := newCluster(t, 2, bot.SchedulerOptions{}, p)
	core := c.cores[0]
	t0 := time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC) // a Tuesday: no digest is due
	for _, line := range []string{
		`/outcome add pos "Point of sale" it-channel=<#CIT|it-pos> sla=1h`,
		`/outcome add wms "Warehouse" it-channel=<#CGONE|it-wms> sla=1h`,
		`/tag INC1 pos`, `/tag INC2 wms`,
		`/escalate INC1 tills down`, `/escalate INC2 scanners down`,
	} {
		name, rest := commands.SplitCommand(commandstest.Inbound(line))
		core.Handle(context.Background(), commands.Request{Workspace: "T1", Channel: "CGEN", User: "UADMIN", Command: name, Text: rest, Time: t0.Add(-time.Minute)})
	}
	if open, err := c.st.ListEscalations(context.Background(), "T1", record.EscalationFilter{OpenOnly: true}); err != nil || len(open) != 2 {
		t.Fatalf("set-up: %d open escalations, %v", len(open), err)
	}
	_ = c.tick(t0.Add(59 * time.Minute))
	for m := 60; m < 70; m++ { // the SLA is up at 10:59; a tick a minute
		_ = c.tick(t0.Add(time.Duration(m) * time.Minute))
	}
	reminders := 0
	for _, post := range p.Posts() {
		if post.To.Channel == "CIT" && strings.HasPrefix(commands.PlainText(post.Message.Text), "Reminder") {
			reminders++
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if reminders != 1 || attempts["CIT"] != 4 {
		t.Errorf("IT channel: %d reminders after %d attempts, want 1 after 4 (3 failures)", reminders, attempts["CIT"])
	}
	if attempts["CGONE"] != 1 {
		t.Errorf("a channel that refuses the bot was tried %d times, want 1", attempts["CGONE"])
	}
	s := c.stats()
	if s.LadderRetried != 3 || s.LadderLost != 1 || s.LadderSent != 1 {
		t.Errorf("stats: %d retried, %d lost, %d sent; want 3, 1, 1", s.LadderRetried, s.LadderLost, s.LadderSent)
	}
}

// TestSchedulerRaiseWithoutLeadership: when no leadership channel follows
// the outcome, the raise stays in the IT channel and says so, with the
// command that fixes it, instead of claiming it went to leadership.
func TestSchedulerRaiseWithoutLeadership(t *testing.T) {
	c := newCluster(t, 1, bot.SchedulerOptions{}, nil)
	t0 := time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC)
	for _, line := range []string{
		`/outcome add pos "Point of sale" it-channel=<#CIT|it-pos> sla=1h`, `/tag INC1 pos`, `/escalate INC1 tills down`,
	} {
		name, rest := commands.SplitCommand(commandstest.Inbound(line))
		c.cores[0].Handle(context.Background(), commands.Request{Workspace: "T1", Channel: "CGEN", User: "UADMIN", Command: name, Text: rest, Time: t0})
	}
	for _, m := range []int{61, 121} {
		if err := c.tick(t0.Add(time.Duration(m) * time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	var raise string
	for _, p := range c.poster.Posts() {
		if txt := commands.PlainText(p.Message.Text); p.To.Channel == "CIT" && strings.Contains(txt, "leadership") {
			raise = txt
		}
	}
	if !strings.Contains(raise, "no leadership channel follows pos") || !strings.Contains(raise, "/digest subscribe outcomes=pos") || strings.HasPrefix(raise, "Raised to leadership") {
		t.Errorf("raise without a leadership channel: %q", raise)
	}
}

// TestSchedulerRun: Run catches up at start (this week's slot has passed),
// refuses to run twice, and Stop returns once the tick in progress is done.
func TestSchedulerRun(t *testing.T) {
	c := newCluster(t, 1, bot.SchedulerOptions{}, nil)
	slot := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	c.subscribe("T1", "CL", "UTC", slot.Add(-24*time.Hour))
	c.clock.Set(slot.Add(3 * time.Hour))
	s := c.replicas[0]
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	deadline := time.After(10 * time.Second)
	for s.Stats().Posted == 0 {
		select {
		case <-deadline:
			t.Fatal("no catch-up post at start")
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := s.Run(context.Background()); !errors.Is(err, bot.ErrRunning) {
		t.Errorf("second Run: %v", err)
	}
	s.Stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Late != 1 || !st.LastTick.Equal(slot.Add(3*time.Hour)) {
		t.Errorf("stats %+v", st)
	}
	s.Stop() // not running: no effect
}

type panicPoster struct{ commandstest.Poster }

func (p *panicPoster) Post(context.Context, commands.Destination, commands.Response) (commands.MessageRef, error) {
	panic("poster bug")
}

// TestSchedulerRecoversPanic: a panicking pass is an error, not a crash.
func TestSchedulerRecoversPanic(t *testing.T) {
	c := newCluster(t, 1, bot.SchedulerOptions{Workers: 1}, &panicPoster{})
	slot := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	c.subscribe("T1", "CL", "UTC", slot.Add(-24*time.Hour))
	err := c.replicas[0].Tick(context.Background(), slot)
	if err == nil || !strings.Contains(err.Error(), "panicked") || c.replicas[0].Stats().Panics != 1 {
		t.Fatalf("tick: %v, stats %+v", err, c.replicas[0].Stats())
	}
}

func TestSchedulerHolders(t *testing.T) {
	c := newCluster(t, 2, bot.SchedulerOptions{}, nil)
	a, b := c.replicas[0].Holder(), c.replicas[1].Holder()
	host, _ := os.Hostname()
	if a == b || !strings.HasPrefix(a, host+"-") || !strings.Contains(a, fmt.Sprintf("-%d-", os.Getpid())) {
		t.Fatalf("holders %q and %q", a, b)
	}
}
