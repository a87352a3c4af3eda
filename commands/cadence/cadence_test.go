package cadence_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at parses a wall time in a zone, e.g. at(t, ny, "2026-03-08 03:30").
func at(t testing.TB, loc *time.Location, wall string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestWeekSlotsDST: a slot in the hour a spring-forward change skips falls
// just after the jump instead of being dropped (cron.Next drops it), and a
// slot in the hour a fall-back change repeats counts once.
func TestWeekSlotsDST(t *testing.T) {
	ny, berlin := zone(t, "America/New_York"), zone(t, "Europe/Berlin")
	cases := []struct {
		name string
		spec string
		loc  *time.Location
		week string // a wall time inside the week
		want string // the week's only slot, as RFC 3339
	}{
		{"NY spring 02:30", "30 2 * * SUN", ny, "2026-03-05 12:00", "2026-03-08T03:30:00-04:00"},
		{"NY week before", "30 2 * * SUN", ny, "2026-02-26 12:00", "2026-03-01T02:30:00-05:00"},
		{"NY week after", "30 2 * * SUN", ny, "2026-03-12 12:00", "2026-03-15T02:30:00-04:00"},
		{"NY fall 01:30 repeated", "30 1 * * SUN", ny, "2026-10-29 12:00", "2026-11-01T01:30:00-04:00"},
		{"NY fall 02:30", "30 2 * * SUN", ny, "2026-10-29 12:00", "2026-11-01T02:30:00-05:00"},
		{"NY Monday 09:00 after spring", "0 9 * * MON", ny, "2026-03-10 12:00", "2026-03-09T09:00:00-04:00"},
		{"Berlin spring 02:30", "30 2 * * SUN", berlin, "2026-03-26 12:00", "2026-03-29T03:30:00+02:00"},
		{"Berlin fall 02:30 repeated", "30 2 * * SUN", berlin, "2026-10-22 12:00", "2026-10-25T02:30:00+02:00"},
		{"Berlin Monday 09:00 after fall", "0 9 * * MON", berlin, "2026-10-27 12:00", "2026-10-26T09:00:00+01:00"},
		{"Berlin skipped and real 03:30 are one", "30 2,3 * * SUN", berlin, "2026-03-26 12:00", "2026-03-29T03:30:00+02:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			slots, err := cadence.WeekSlots(tc.spec, tc.loc, at(t, tc.loc, tc.week))
			if err != nil {
				t.Fatal(err)
			}
			if len(slots) != 1 || slots[0].Format(time.RFC3339) != tc.want {
				t.Fatalf("slots %v, want [%s]", slots, tc.want)
			}
		})
	}
	// The fix is needed: cron itself skips the nonexistent 02:30.
	sched, _ := cron.ParseStandard("30 2 * * SUN")
	if got := sched.Next(at(t, ny, "2026-03-07 12:00").In(ny)); got.Day() != 15 {
		t.Fatalf("cron.Next no longer skips the 02:30 of 8 March (got %s): revisit WeekSlots", got)
	}
}

func TestNextSlotAndSlotThisWeek(t *testing.T) {
	ny := zone(t, "America/New_York")
	next, err := cadence.NextSlot("30 2 * * SUN", ny, at(t, ny, "2026-03-07 12:00"))
	if err != nil || next.Format(time.RFC3339) != "2026-03-08T03:30:00-04:00" {
		t.Fatalf("NextSlot = %s, %v", next, err)
	}
	next, _ = cadence.NextSlot("30 2 * * SUN", ny, at(t, ny, "2026-03-08 03:30"))
	if next.Format(time.RFC3339) != "2026-03-15T02:30:00-04:00" {
		t.Fatalf("NextSlot right at a slot = %s", next)
	}
	if _, err := cadence.NextSlot("0 9 30 2 *", ny, at(t, ny, "2026-03-07 12:00")); err == nil {
		t.Fatal("NextSlot of 30 February should fail")
	}
	for _, tc := range []struct {
		now  string
		ok   bool
		slot string
	}{
		{"2026-11-16 08:59", false, ""}, // Monday before the slot: last week's is not due
		{"2026-11-16 09:00", true, "2026-11-16 09:00"},
		{"2026-11-22 23:59", true, "2026-11-16 09:00"},
	} {
		slot, ok, err := cadence.SlotThisWeek("0 9 * * MON", time.UTC, at(t, time.UTC, tc.now))
		if err != nil || ok != tc.ok || (ok && !slot.Equal(at(t, time.UTC, tc.slot))) {
			t.Errorf("SlotThisWeek at %s = %s, %v, %v", tc.now, slot, ok, err)
		}
	}
}

// cadenceEnv is the core on a private Redis prefix with subscribed channels.
type cadenceEnv struct {
	t      *testing.T
	core   *cadence.Cadence
	st     *store.Store
	poster *commandstest.Poster
	state  *cadence.DueState // as a scheduler keeps one across passes

	mu     sync.Mutex
	events []cadence.DueEvent
}

func newCadence(t *testing.T, spec string) *cadenceEnv {
	t.Helper()
	st := storetest.New(t)
	core := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}, DigestCron: spec}, commandstest.NewClock(commandstest.Start), slog.New(slog.DiscardHandler)).Cadence
	return &cadenceEnv{t: t, core: core, st: st, poster: &commandstest.Poster{}, state: cadence.NewDueState()}
}

func (c *cadenceEnv) subscribe(ws, channel, tz string, since time.Time) {
	c.t.Helper()
	if _, err := storetest.Subscribe(context.Background(), c.st, ws, record.Subscription{Channel: channel, TZ: tz, By: "UADMIN", At: since}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cadenceEnv) opts() cadence.DueOptions {
	return cadence.DueOptions{Holder: "h1", State: c.state, Report: func(e cadence.DueEvent) {
		c.mu.Lock()
		c.events = append(c.events, e)
		c.mu.Unlock()
	}}
}

func (c *cadenceEnv) run(now time.Time) error {
	return c.core.RunDueWith(context.Background(), c.poster, now, c.opts())
}

func (c *cadenceEnv) count(kind cadence.DueEventKind, channel string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.events {
		if e.Kind == kind && (channel == "" || e.Channel == channel) {
			n++
		}
	}
	return n
}

// leads counts the lead messages posted in a channel (not thread replies).
func (c *cadenceEnv) leads(channel string) int {
	n := 0
	for _, p := range c.poster.Posts() {
		if p.To.Channel == channel && p.To.Thread == "" {
			n++
		}
	}
	return n
}

func (c *cadenceEnv) posted(ws, channel string, week string) (record.DigestPost, bool) {
	p, err := c.st.DigestPosted(context.Background(), ws, channel, week)
	if errors.Is(err, record.ErrNotFound) {
		return p, false
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return p, true
}

// TestRunDueDST ticks every 30 minutes through both changes of 2026 in New
// York and Berlin, for schedules inside the skipped and repeated hours:
// every week gets exactly one digest, on time, at its slot.
func TestRunDueDST(t *testing.T) {
	ny, berlin := zone(t, "America/New_York"), zone(t, "Europe/Berlin")
	// Spans run from Monday 06:00 UTC, before any slot of that week in
	// either zone, to the Monday 06:00 UTC after the last Sunday slot.
	spans := [][2]time.Time{
		{time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC), time.Date(2026, 4, 6, 6, 0, 0, 0, time.UTC)},    // both springs
		{time.Date(2026, 10, 19, 6, 0, 0, 0, time.UTC), time.Date(2026, 11, 9, 6, 0, 0, 0, time.UTC)}, // both falls
	}
	for _, spec := range []string{"30 2 * * SUN", "30 1 * * SUN", "0 9 * * MON"} {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			c := newCadence(t, spec)
			c.subscribe("T1", "CNY", ny.String(), spans[0][0].Add(-30*24*time.Hour))
			c.subscribe("T1", "CBER", berlin.String(), spans[0][0].Add(-30*24*time.Hour))
			for _, span := range spans {
				for now := span[0]; now.Before(span[1]); now = now.Add(30 * time.Minute) {
					if err := c.run(now); err != nil {
						t.Fatalf("pass at %s: %v", now, err)
					}
				}
			}
			for _, ch := range []struct {
				id  string
				loc *time.Location
			}{{"CNY", ny}, {"CBER", berlin}} {
				weeks := 0
				for _, span := range spans {
					for wk := span[0].Add(48 * time.Hour); wk.Before(span[1].Add(-48 * time.Hour)); wk = wk.Add(7 * 24 * time.Hour) {
						local := wk.In(ch.loc)
						slots, _ := cadence.WeekSlots(spec, ch.loc, local)
						if len(slots) != 1 {
							t.Fatalf("%s week of %s: %d slots", ch.id, local, len(slots))
						}
						p, ok := c.posted("T1", ch.id, cadence.WeekOf(local))
						if !ok || !p.At.Equal(slots[0]) || p.Late {
							t.Errorf("%s week %s: posted %v at %s late=%v, want at %s", ch.id, cadence.WeekOf(local), ok, p.At.In(ch.loc), p.Late, slots[0])
						}
						weeks++
					}
				}
				if got := c.leads(ch.id); got != weeks {
					t.Errorf("%s: %d digests for %d weeks", ch.id, got, weeks)
				}
			}
		})
	}
}

// TestRunDueCatchUp: a slot passed while no replica ran is posted late the
// same week; a week that ended without its digest is counted missed once
// and never posted; a channel subscribed after this week's slot starts
// next week.
func TestRunDueCatchUp(t *testing.T) {
	c := newCadence(t, "0 9 * * MON")
	mon := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)     // W47
	c.subscribe("T1", "CA", "UTC", mon.Add(-6*24*time.Hour)) // after W46's slot: W46 is not owed
	c.subscribe("T1", "CB", "UTC", mon.Add(time.Hour))       // after W47's slot

	if err := c.run(mon.Add(26 * time.Hour)); err != nil { // Tuesday 11:00
		t.Fatal(err)
	}
	p, ok := c.posted("T1", "CA", "2026-W47")
	if !ok || !p.Late || c.count(cadence.DigestPostedLate, "CA") != 1 {
		t.Fatalf("catch-up: posted %v %+v", ok, p)
	}
	if lead := c.poster.Posts()[0].Message; !strings.Contains(lead.Context, "posted late") {
		t.Errorf("late digest not marked: %q", lead.Context)
	}
	if c.leads("CB") != 0 {
		t.Fatal("a channel subscribed after the slot got this week's digest")
	}
	// Nothing runs for the rest of W47 and all of W48; W49 starts.
	next := mon.Add(14*24*time.Hour - time.Hour) // Mon 30 Nov 08:00, before the slot
	for range 2 {
		if err := c.run(next); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.count(cadence.DigestMissed, ""); got != 2 {
		t.Fatalf("missed W48 counted %d times, want once per channel (CA, CB)", got)
	}
	if _, ok := c.posted("T1", "CA", "2026-W48"); ok || c.leads("CA") != 1 {
		t.Fatal("a missed week's digest was posted")
	}
	if err := c.run(next.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"CA", "CB"} {
		if p, ok := c.posted("T1", ch, "2026-W49"); !ok || p.Late {
			t.Errorf("%s W49: posted %v late %v", ch, ok, p.Late)
		}
	}
}

type statusError int

func (e statusError) Error() string { return fmt.Sprintf("platform answered %d", int(e)) }

// TestRunDueFailures: a transient failure backs off and is retried until it
// succeeds; a permanent one tells the subscriber at once and waits the
// longest; neither delays the healthy channel; each subscriber is told once.
func TestRunDueFailures(t *testing.T) {
	c := newCadence(t, "0 9 * * MON")
	slot := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for _, ch := range []string{"CBUSY", "CGONE", "COK"} {
		c.subscribe("T1", ch, "UTC", slot.Add(-7*24*time.Hour))
	}
	var mu sync.Mutex
	tries := map[string]int{}
	c.poster.Fail = func(to commands.Destination) error { // called under the poster's lock
		mu.Lock()
		defer mu.Unlock()
		tries[to.Channel]++
		switch {
		case to.Channel == "CBUSY" && tries[to.Channel] <= 3:
			return fmt.Errorf("post in CBUSY: %w", statusError(429+71*(tries[to.Channel]%2))) // 429, 500, 429
		case to.Channel == "CGONE":
			return fmt.Errorf("post in CGONE: not_in_channel: %w", commands.ErrUndeliverable)
		}
		return nil
	}
	// Backoff 1m, 2m, 4m: attempts at +0, +1m, +3m fail; +7m succeeds.
	for _, m := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 30, 31} {
		_ = c.run(slot.Add(time.Duration(m) * time.Minute))
	}
	if c.leads("COK") != 1 || c.leads("CBUSY") != 1 || c.leads("CGONE") != 0 {
		t.Fatalf("leads: ok %d busy %d gone %d", c.leads("COK"), c.leads("CBUSY"), c.leads("CGONE"))
	}
	mu.Lock()
	if tries["CBUSY"] != 4 || tries["CGONE"] != 2 {
		t.Errorf("attempts: busy %d (want 4), gone %d (want 2: at +0 and after 30m)", tries["CBUSY"], tries["CGONE"])
	}
	mu.Unlock()
	if p, _ := c.posted("T1", "CBUSY", "2026-W47"); !p.At.Equal(slot.Add(7*time.Minute)) || p.Late {
		t.Errorf("CBUSY posted at %s late %v", p.At, p.Late)
	}
	var notices []string
	for _, p := range c.poster.Posts() {
		if p.To.Channel == "UADMIN" {
			notices = append(notices, commands.PlainText(p.Message.Text))
		}
	}
	if len(notices) != 2 || c.count(cadence.DigestSubscriberTold, "") != 2 {
		t.Fatalf("notices to the subscriber: %q", notices)
	}
	for _, n := range notices {
		if strings.Contains(n, "429") || strings.Contains(n, "not_in_channel") || !strings.Contains(n, "ref ") {
			t.Errorf("notice shows a raw error or no ref: %q", n)
		}
	}
	if !strings.Contains(strings.Join(notices, "\n"), "refuses the bot's messages") {
		t.Errorf("no permanent-failure notice: %q", notices)
	}
	if got := c.count(cadence.DigestFailed, ""); got != 5 {
		t.Errorf("%d failures reported, want 5", got)
	}
}

// blockingPoster holds posts to one channel until released.
type blockingPoster struct {
	*commandstest.Poster
	channel string
	release chan struct{}
}

func (b blockingPoster) Post(ctx context.Context, to commands.Destination, msg commands.Response) (commands.MessageRef, error) {
	if to.Channel == b.channel {
		select {
		case <-b.release:
		case <-ctx.Done():
			return commands.MessageRef{}, ctx.Err()
		}
	}
	return b.Poster.Post(ctx, to, msg)
}

// TestRunDueSlowChannel: a channel whose post hangs does not hold up the
// others.
func TestRunDueSlowChannel(t *testing.T) {
	c := newCadence(t, "0 9 * * MON")
	slot := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for i := range 40 {
		c.subscribe(fmt.Sprintf("T%d", i%2), fmt.Sprintf("C%02d", i), "UTC", slot.Add(-time.Hour))
	}
	bp := blockingPoster{Poster: c.poster, channel: "C00", release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- c.core.RunDueWith(context.Background(), bp, slot, cadence.DueOptions{Holder: "h", Workers: 4})
	}()
	deadline := time.After(10 * time.Second)
	for len(c.poster.Posts()) < 39 {
		select {
		case <-deadline:
			t.Fatalf("only %d of 39 channels posted while C00 hangs", len(c.poster.Posts()))
		case <-time.After(time.Millisecond):
		}
	}
	close(bp.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(c.poster.Posts()) != 40 {
		t.Fatalf("%d posts, want 40", len(c.poster.Posts()))
	}
}

// TestManualDigestKeepsScheduled: a manual post is marked, recorded as the
// last post, and the week's scheduled digest still goes out.
func TestManualDigestKeepsScheduled(t *testing.T) {
	c := newCadence(t, "0 9 * * MON")
	slot := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	c.subscribe("T1", "CL", "UTC", slot.Add(-7*24*time.Hour))
	ctx := context.Background()
	if err := c.core.SendDigest(ctx, c.poster, "T1", "CL", slot.Add(-time.Hour), digest.Input{Manual: true}, "cli"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.poster.Posts()[0].Message.Context, "posted manually") {
		t.Errorf("manual post not marked: %q", c.poster.Posts()[0].Message.Context)
	}
	if err := c.run(slot); err != nil {
		t.Fatal(err)
	}
	if c.leads("CL") != 2 {
		t.Fatalf("%d leads, want the manual one and the scheduled one", c.leads("CL"))
	}
	if err := c.core.SendDigest(ctx, c.poster, "T1", "CL", slot.Add(time.Hour), digest.Input{}, "other"); err != nil || c.leads("CL") != 2 {
		t.Fatalf("a second scheduled SendDigest posted again (%d leads, %v)", c.leads("CL"), err)
	}
}

// TestDigestStatus shows the next slot in the channel's zone, an overdue
// week, and the last post with its marks.
func TestDigestStatus(t *testing.T) {
	e := newEnv(t)
	e.Clock.Set(time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC))
	e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe tz=Europe/Berlin")
	status := func(now time.Time) commands.Response {
		return e.Core.Handle(context.Background(), commands.Request{Workspace: "T1", Channel: "CLEAD", User: "UBIZ", Command: "/digest", Text: "status", Time: now})
	}
	e.Expect(status(time.Date(2026, 11, 12, 12, 0, 0, 0, time.UTC)),
		"Next digest: Mon 16 Nov 09:00 CET (Europe/Berlin)", "No digest has been posted here yet")
	slot := time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC) // 09:00 CET
	e.Expect(status(slot.Add(time.Hour)), "has not gone out yet", "Next digest: Mon 23 Nov 09:00 CET")
	p := &commandstest.Poster{}
	if err := e.Cadence.RunDue(context.Background(), p, slot.Add(2*time.Hour), "h"); err != nil {
		t.Fatal(err)
	}
	r := status(slot.Add(3 * time.Hour))
	e.Expect(r, "Last posted: Mon 16 Nov 11:00 CET (week 2026-W47, late)")
	if strings.Contains(commandstest.Text(r), "not gone out") {
		t.Errorf("status still says overdue: %s", commandstest.Text(r))
	}
}
