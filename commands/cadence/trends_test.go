package cadence_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// trendHistory writes three weeks of history before Mon 16 Nov 2026: the
// workspace's first record is on Tue 27 Oct.
func trendHistory(t *testing.T, c *cadenceEnv) {
	t.Helper()
	ctx := context.Background()
	if err := c.st.CreateOutcome(ctx, "T1", record.Outcome{Key: "pos", Title: "POS", CreatedAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	tag := func(ref, outcome string, at time.Time) {
		if _, err := c.st.Tag(ctx, "T1", ref, outcome, "U1", "", at); err != nil {
			t.Fatal(err)
		}
	}
	tag("INC1", "pos", time.Date(2026, 10, 27, 9, 0, 0, 0, time.UTC))
	tag("INC2", "pos", time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC))
	tag("INC3", "", time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC))
	tag("INC4", "pos", time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))
	if _, _, _, err := c.st.EscalateRequest(ctx, "T1", record.Escalation{Ref: "INC2", Outcome: "pos", RaisedBy: "U1", RaisedAt: time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}

func (c *cadenceEnv) trendWeeks(n int, now time.Time) []record.TrendWeek {
	c.t.Helper()
	last := record.TrendWeekStart(now).AddDate(0, 0, -7)
	var starts []time.Time
	for i := n - 1; i >= 0; i-- {
		starts = append(starts, last.AddDate(0, 0, -7*i))
	}
	weeks, _, err := c.st.TrendWeeks(context.Background(), "T1", starts, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return weeks
}

// TestTrendPassOncePerWeek: the weekly pass, run by two replicas at once,
// rebuilds the weeks since the first record from history and leaves the
// weeks before it as gaps; a week once written is never rewritten, and the
// next week is added by the next week's pass.
func TestTrendPassOncePerWeek(t *testing.T) {
	c := newCadence(t, "0 9 * * MON")
	trendHistory(t, c)
	now := time.Date(2026, 11, 16, 0, 5, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for _, h := range []string{"r1", "r2"} {
		wg.Go(func() {
			if err := c.core.RunDueWith(context.Background(), c.poster, now, cadence.DueOptions{Holder: h, State: cadence.NewDueState()}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := c.run(now.Add(time.Minute)); err != nil { // whichever lost the claim: done now
		t.Fatal(err)
	}
	weeks := c.trendWeeks(5, now)
	for i, w := range weeks {
		if w.Missing != (i < 2) {
			t.Errorf("week of %s: missing=%v", w.Start.Format("2 Jan"), w.Missing)
		}
	}
	wantTagged := []int{1, 1, 1}  // 26 Oct, 2 Nov, 9 Nov
	wantNew := []int{1, 2, 1}     // drift denominator
	wantOverdue := []int{0, 1, 1} // the escalation of 4 Nov waits
	for i, w := range weeks[2:] {
		if w.Total.Tagged != wantTagged[i] || w.Total.NewRequests != wantNew[i] || w.Total.Overdue != wantOverdue[i] {
			t.Errorf("week of %s: %+v", w.Start.Format("2 Jan"), w.Total)
		}
	}
	// History of a written week changes (a late import): the week stays as
	// written, even for a process that does not remember it.
	if _, err := c.st.Tag(context.Background(), "T1", "INC9", "pos", "U1", "", time.Date(2026, 11, 11, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := c.core.RunDueWith(context.Background(), c.poster, now.Add(time.Hour), cadence.DueOptions{Holder: "r3"}); err != nil {
		t.Fatal(err)
	}
	if got := c.trendWeeks(1, now)[0].Total.Tagged; got != 1 {
		t.Errorf("week of 9 Nov rewritten: tagged %d", got)
	}
	// The next week's pass adds the week of 16 Nov.
	next := now.AddDate(0, 0, 7)
	if err := c.run(next); err != nil {
		t.Fatal(err)
	}
	if w := c.trendWeeks(1, next)[0]; w.Missing || w.Total.Overdue != 1 {
		t.Errorf("week of 16 Nov: %+v", w)
	}
}

// TestDigestTrendsBeforeThePass: a digest asked for before any pass wrote
// the aggregates rebuilds the twelve weeks it shows; weeks before the bot
// existed are a gap in the sparkline.
func TestDigestTrendsBeforeThePass(t *testing.T) {
	c := newCadence(t, "0 9 * * MON")
	trendHistory(t, c)
	r, err := c.core.ChannelDigest(context.Background(), "T1", "CL", time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC), digest.Input{})
	if err != nil {
		t.Fatal(err)
	}
	text := commands.PlainText(r.Text)
	if !strings.Contains(text, "Open beyond SLA at week end: ·········▁██ 0 → 1") {
		t.Errorf("no sparkline with a gap before the first record:\n%s", text)
	}
	if len(c.trendWeeks(3, time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC))) != 3 {
		t.Fatal("weeks not read")
	}
}

// TestDigestTrendsEmptyWorkspace: no history, no trends, no error.
func TestDigestTrendsEmptyWorkspace(t *testing.T) {
	c := newCadence(t, "0 9 * * MON")
	r, err := c.core.ChannelDigest(context.Background(), "T1", "CL", time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC), digest.Input{})
	if err != nil || strings.Contains(r.Text, "Trends") {
		t.Fatalf("empty workspace: %v\n%s", err, r.Text)
	}
}

// TestDigestTrendsRoundTrips: once the weeks are written, a digest with
// trends reads Redis in five round trips (subscription, the digest's two,
// the twelve weeks in one, the outcomes' KPI values in one), following all
// outcomes or some: a bounded number, whatever the history.
func TestDigestTrendsRoundTrips(t *testing.T) {
	c := newCadence(t, "0 9 * * MON")
	trendHistory(t, c)
	now := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	if _, err := c.core.ChannelDigest(ctx, "T1", "CL", now, digest.Input{}); err != nil { // rebuilds the weeks
		t.Fatal(err)
	}
	rdb := storetest.Client(t)
	h := &roundTrips{}
	rdb.AddHook(h)
	counted := trendBenchCadence(store.New(rdb, store.Options{Prefix: c.st.Prefix()}))
	if _, err := counted.ChannelDigest(ctx, "T1", "CL", now, digest.Input{}); err != nil { // connections' handshakes
		t.Fatal(err)
	}
	for _, follow := range [][]string{nil, {"pos"}} {
		if follow != nil {
			if _, err := storetest.Subscribe(ctx, c.st, "T1", record.Subscription{Channel: "CL", Outcomes: follow, By: "UADMIN", At: now.AddDate(0, -1, 0)}); err != nil {
				t.Fatal(err)
			}
		}
		h.N.Store(0)
		r, err := counted.ChannelDigest(ctx, "T1", "CL", now, digest.Input{})
		if err != nil || !strings.Contains(r.Text, "Trends, last 12 weeks") {
			t.Fatalf("follow %v: %v\n%s", follow, err, r.Text)
		}
		if n := h.N.Load(); n != 5 {
			t.Errorf("follow %v: %d round trips, want 5", follow, n)
		}
	}
}
