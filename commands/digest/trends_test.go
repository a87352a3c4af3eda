package digest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/record"
)

func utc(day, hour int) time.Time {
	return time.Date(2026, time.November, day, hour, 0, 0, 0, time.UTC)
}

// TestTrendAggregates: each UTC week counts what the digest's headline
// counts: distinct requests tagged (a re-tag once, on its last outcome),
// escalation events (a withdrawal is not a resolution), escalations
// unacknowledged beyond SLA at the week's end, the median time to
// acknowledge, and drift's numerator and denominator.
func TestTrendAggregates(t *testing.T) {
	data := record.DigestData{
		Outcomes: []record.Outcome{{Key: "pos", SLA: 4 * time.Hour}, {Key: "infra"}},
		Tags: []record.TagEvent{
			{Ref: "INC1", Outcome: "pos", At: utc(3, 9)},
			{Ref: "INC1", Outcome: "infra", At: utc(4, 9)},
			{Ref: "INC2", Outcome: "pos", At: utc(10, 9)},
		},
		NewRequests: []record.Request{
			{Ref: "INC1", Outcome: "infra", FirstSeen: utc(3, 9)},
			{Ref: "INC2", Outcome: "pos", FirstSeen: utc(10, 9)},
			{Ref: "INC3", FirstSeen: utc(10, 10)},
		},
		Escalations: []record.Escalation{
			{N: 1, Outcome: "pos", RaisedAt: utc(3, 10), AckAt: utc(11, 10), State: record.StateAcknowledged},
			{N: 2, Outcome: "infra", RaisedAt: utc(15, 23), State: record.StateOpen},
			{N: 3, Outcome: "pos", RaisedAt: utc(17, 9), ResolvedAt: utc(17, 10), Withdrawn: true, State: record.StateResolved},
			{N: 4, Outcome: "infra", RaisedAt: utc(17, 9), AckAt: utc(17, 10), ResolvedAt: utc(18, 9), State: record.StateResolved},
			{N: 4, Outcome: "infra", RaisedAt: utc(17, 9), AckAt: utc(17, 10), ResolvedAt: utc(18, 9), State: record.StateResolved},
		},
	}
	weeks := digest.TrendAggregates(data, []time.Time{utc(2, 0), utc(9, 0), utc(16, 0)}, 4*time.Hour, nil)
	if len(weeks) != 3 {
		t.Fatalf("%d weeks", len(weeks))
	}
	want := []record.TrendCounts{
		{Tagged: 1, Raised: 1, Overdue: 1, NewRequests: 1},
		{Tagged: 1, Raised: 1, Acked: 1, AckMedian: 8 * 24 * time.Hour, AckN: 1, NewRequests: 2, Untagged: 1},
		{Raised: 2, Acked: 1, Resolved: 1, Overdue: 1, AckMedian: time.Hour, AckN: 1},
	}
	for i, w := range weeks {
		if w.Total != want[i] {
			t.Errorf("week of %s: %+v, want %+v", w.Start.Format("2 Jan"), w.Total, want[i])
		}
	}
	if got := weeks[0].Outcomes; got["infra"].Tagged != 1 || got["pos"].Tagged != 0 || got["pos"].Overdue != 1 {
		t.Errorf("week of 2 Nov by outcome: %+v", got)
	}
	if got := weeks[2].Outcomes["infra"]; got.Overdue != 1 || got.Resolved != 1 || got.AckN != 1 {
		t.Errorf("week of 16 Nov, infra: %+v", got)
	}
}

// trendInput is a quiet week's digest with twelve weeks of trends, the
// first `gaps` of them before the bot existed.
func trendInput(t *testing.T, gaps int, follow ...string) digest.Input {
	data, now := digestQuietWeek(time.UTC)
	in := digest.Input{Data: data, Now: now, DefaultSLA: 4 * time.Hour, Follow: follow}
	start := record.TrendWeekStart(now).AddDate(0, 0, -7*digest.TrendWeeks)
	for i := range digest.TrendWeeks {
		w := record.TrendWeek{Start: start.AddDate(0, 0, 7*i)}
		if i < gaps {
			w.Missing = true
		} else {
			w.Total = record.TrendCounts{Overdue: i, NewRequests: 20, Untagged: i, AckMedian: time.Duration(i) * time.Hour, AckN: 1}
			w.Outcomes = map[string]record.TrendCounts{"pos": {Overdue: 1, AckMedian: time.Hour, AckN: 2}}
		}
		in.Trend = append(in.Trend, w)
	}
	return in
}

func chartsOf(r commands.Response) []commands.Chart {
	var out []commands.Chart
	for _, s := range r.Sections {
		out = append(out, s.Charts...)
	}
	return out
}

// TestDigestTrendsShowGaps: weeks before the bot's first record are a gap
// in the sparkline and Missing in the charts, never zero; the lead's text
// (the notification text too) carries the sparklines with first and last
// values; at most two charts of at most 20 points.
func TestDigestTrendsShowGaps(t *testing.T) {
	r := digest.Build(trendInput(t, 9))
	text := commands.PlainText(r.Text)
	for _, want := range []string{
		"Trends, last 12 weeks",
		"Drift: ·········▇▇█ 45% → 55%",
		"Open beyond SLA at week end: ·········▇▇█ 9 → 11",
		"Median time to acknowledge: ·········▇▇█ 9h → 11h",
		"· no data that week",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("lead lacks %q:\n%s", want, text)
		}
	}
	charts := chartsOf(r)
	if len(charts) != 2 || len(charts) > commands.MaxChartsPerMessage {
		t.Fatalf("%d charts, want drift and open beyond SLA", len(charts))
	}
	for _, c := range charts {
		ps := c.Series[0].Points
		if len(ps) > commands.MaxChartPoints || len(ps) != 12 {
			t.Errorf("%s: %d points", c.Title, len(ps))
		}
		for i, p := range ps {
			if p.Missing != (i < 9) {
				t.Errorf("%s: point %d (%s) missing=%v", c.Title, i, p.Label, p.Missing)
			}
		}
	}
}

// TestDigestTrendsNoHistory: a workspace with no aggregate at all gets no
// trends and no chart, and no error.
func TestDigestTrendsNoHistory(t *testing.T) {
	r := digest.Build(trendInput(t, 12))
	if strings.Contains(r.Text, "Trends") || len(chartsOf(r)) != 0 {
		t.Fatalf("trends without history:\n%s", r.Text)
	}
	// One week of data: sparklines, but no chart of a single point.
	r = digest.Build(trendInput(t, 11))
	if !strings.Contains(r.Text, "Trends") || len(chartsOf(r)) != 0 {
		t.Fatalf("one week: %d charts\n%s", len(chartsOf(r)), r.Text)
	}
}

// TestDigestTrendsFollowed: a channel following some outcomes sees their
// rows summed; drift stays workspace-wide.
func TestDigestTrendsFollowed(t *testing.T) {
	text := commands.PlainText(digest.Build(trendInput(t, 10, "pos")).Text)
	for _, want := range []string{"Open beyond SLA at week end: ··········██ 1 → 1", "Median time to acknowledge: ··········██ 1h → 1h", "Drift: ··········▇█ 50% → 55%"} {
		if !strings.Contains(text, want) {
			t.Errorf("lead lacks %q:\n%s", want, text)
		}
	}
}

// TestTrendAggregatesCountBusinessHours: with business hours the trends
// count as the headline does: an escalation raised Friday 17:30 London and
// acknowledged Monday 09:10 waited 1h 40m, and with a 4h SLA it is not
// beyond it at the end of that weekend's week.
func TestTrendAggregatesCountBusinessHours(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	h, err := commands.ParseBusinessHours("Mon-Fri 08:00-18:00 Europe/London", nil)
	if err != nil {
		t.Fatal(err)
	}
	data := record.DigestData{
		Outcomes: []record.Outcome{{Key: "pos"}},
		Escalations: []record.Escalation{{N: 1, Outcome: "pos", State: record.StateAcknowledged,
			RaisedAt: time.Date(2026, 12, 4, 17, 30, 0, 0, loc), AckAt: time.Date(2026, 12, 7, 9, 10, 0, 0, loc)}},
	}
	starts := []time.Time{record.TrendWeekStart(data.Escalations[0].RaisedAt), record.TrendWeekStart(data.Escalations[0].AckAt)}
	business := digest.TrendAggregates(data, starts, 4*time.Hour, func(record.Outcome) *commands.BusinessHours { return h })
	if w := business[1].Total; w.AckMedian != 100*time.Minute || business[0].Total.Overdue != 0 {
		t.Errorf("business hours: ack median %s, overdue at the first week's end %d; want 1h 40m and 0", w.AckMedian, business[0].Total.Overdue)
	}
	wall := digest.TrendAggregates(data, starts, 4*time.Hour, nil)
	if w := wall[1].Total; w.AckMedian != 63*time.Hour+40*time.Minute || wall[0].Total.Overdue != 1 {
		t.Errorf("round the clock: ack median %s, overdue %d; want 63h 40m and 1", w.AckMedian, wall[0].Total.Overdue)
	}
}
