package digest

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// This file computes the weekly trend aggregates from history, and renders
// the lead message's trends: twelve weeks of drift, of escalations open
// beyond SLA at the week's end, and of the median time to acknowledge, as
// text sparklines (every platform, and the notification text) and as two
// charts (drawn natively where the platform can).

// TrendWeeks is how many weeks the digest's trends show.
const TrendWeeks = 12

const week = 7 * 24 * time.Hour

// TrendAggregates computes the aggregates of the UTC calendar weeks starting
// at starts (Mondays 00:00 UTC, see record.TrendWeekStart) from data, which
// must cover [the earliest start, a time after the last week's end): its
// tag events and new requests in that window, and every escalation with an
// event in it or still open. The numbers mean what the digest's headline
// means when following all outcomes; outcome rows are filled for outcomes
// with any activity in the week. hours gives the business hours an
// outcome's SLA and waits count in (nil, or a nil result: round the
// clock), as in the digest's headline. It is a pure function of its input.
func TrendAggregates(data record.DigestData, starts []time.Time, defaultSLA time.Duration, hours func(record.Outcome) *commands.BusinessHours) []record.TrendWeek {
	a := newAggregator(starts)
	sla := make(map[string]time.Duration, len(data.Outcomes))
	clock := make(map[string]*commands.BusinessHours, len(data.Outcomes))
	for _, o := range data.Outcomes {
		sla[o.Key] = commands.EscalationSLA(o, defaultSLA)
		if hours != nil {
			clock[o.Key] = hours(o)
		}
	}
	a.tags(data.Tags)
	seen := make(map[int64]bool, len(data.Escalations))
	for i := range data.Escalations {
		e := &data.Escalations[i]
		if seen[e.N] {
			continue
		}
		seen[e.N] = true
		s, ok := sla[e.Outcome]
		if !ok {
			s = defaultSLA
		}
		h, ok := clock[e.Outcome]
		if !ok && hours != nil {
			h = hours(record.Outcome{Key: e.Outcome})
		}
		a.escalation(e, s, h)
	}
	for _, r := range data.NewRequests {
		if i, ok := a.index(r.Received()); ok {
			a.weeks[i].Total.NewRequests++
			if r.Outcome == "" {
				a.weeks[i].Total.Untagged++
			}
		}
	}
	a.medians()
	return a.weeks
}

// aggregator fills TrendAggregates' weeks.
type aggregator struct {
	weeks   []record.TrendWeek
	byStart map[int64]int // week start, unix s → index
	// ackTimes per week: the workspace's, and each outcome's.
	total    [][]time.Duration
	outcomes []map[string][]time.Duration
}

func newAggregator(starts []time.Time) *aggregator {
	a := &aggregator{byStart: make(map[int64]int, len(starts))}
	sorted := append([]time.Time(nil), starts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	for _, st := range sorted {
		st = record.TrendWeekStart(st)
		if _, dup := a.byStart[st.Unix()]; dup {
			continue
		}
		a.byStart[st.Unix()] = len(a.weeks)
		a.weeks = append(a.weeks, record.TrendWeek{Start: st, Outcomes: map[string]record.TrendCounts{}})
		a.total = append(a.total, nil)
		a.outcomes = append(a.outcomes, map[string][]time.Duration{})
	}
	return a
}

// index returns the week holding t, if it is one of the weeks.
func (a *aggregator) index(t time.Time) (int, bool) {
	i, ok := a.byStart[record.TrendWeekStart(t).Unix()]
	return i, ok
}

// add changes the counts of week i for outcome key and for the workspace.
func (a *aggregator) add(i int, key string, f func(*record.TrendCounts)) {
	f(&a.weeks[i].Total)
	if key != "" {
		c := a.weeks[i].Outcomes[key]
		f(&c)
		a.weeks[i].Outcomes[key] = c
	}
}

// tags counts, per week, the distinct requests whose last tag change in
// the week left them on an outcome.
func (a *aggregator) tags(events []record.TagEvent) {
	last := make([]map[string]record.TagEvent, len(a.weeks))
	for _, t := range events {
		i, ok := a.index(t.At)
		if !ok {
			continue
		}
		if last[i] == nil {
			last[i] = map[string]record.TagEvent{}
		}
		if prev, ok := last[i][t.Ref]; !ok || t.At.After(prev.At) || (t.At.Equal(prev.At) && t.Seq > prev.Seq) {
			last[i][t.Ref] = t
		}
	}
	for i, m := range last {
		for _, t := range m {
			if t.Outcome != "" {
				a.add(i, t.Outcome, func(c *record.TrendCounts) { c.Tagged++ })
			}
		}
	}
}

// escalation counts one escalation's events, and the weeks at whose end it
// was open, unacknowledged and beyond its SLA, counted in business hours h
// (nil: round the clock).
func (a *aggregator) escalation(e *record.Escalation, sla time.Duration, h *commands.BusinessHours) {
	if i, ok := a.index(e.RaisedAt); ok {
		a.add(i, e.Outcome, func(c *record.TrendCounts) { c.Raised++ })
	}
	if !e.AckAt.IsZero() {
		if i, ok := a.index(e.AckAt); ok {
			a.add(i, e.Outcome, func(c *record.TrendCounts) { c.Acked++ })
			d := h.Between(e.RaisedAt, e.AckAt)
			a.total[i] = append(a.total[i], d)
			a.outcomes[i][e.Outcome] = append(a.outcomes[i][e.Outcome], d)
		}
	}
	if !e.ResolvedAt.IsZero() && !e.Withdrawn {
		if i, ok := a.index(e.ResolvedAt); ok {
			a.add(i, e.Outcome, func(c *record.TrendCounts) { c.Resolved++ })
		}
	}
	due := h.Add(e.RaisedAt, sla)
	for i := range a.weeks {
		end := a.weeks[i].Start.Add(week)
		if !due.Before(end) {
			continue
		}
		if doneBy(e.AckAt, end) || doneBy(e.ResolvedAt, end) {
			break
		}
		a.add(i, e.Outcome, func(c *record.TrendCounts) { c.Overdue++ })
	}
}

// medians sets each week's median times to acknowledge.
func (a *aggregator) medians() {
	for i := range a.weeks {
		w := &a.weeks[i]
		w.Total.AckMedian, _ = medianDuration(a.total[i])
		w.Total.AckN = len(a.total[i])
		for key, ds := range a.outcomes[i] {
			c := w.Outcomes[key]
			c.AckMedian, _ = medianDuration(ds)
			c.AckN = len(ds)
			w.Outcomes[key] = c
		}
	}
}

// trend is the digest's view of the weeks in Input.Trend: one point per
// week for drift (percent), open beyond SLA and time to acknowledge
// (hours), Missing where the week has no aggregate or no value.
type trend struct {
	drift, overdue, ack []commands.Point
	present             bool // any week has an aggregate
}

// trendView sums the weeks over the outcomes the channel follows (the
// workspace's rows when it follows all). Drift is workspace-wide. The time
// to acknowledge of several followed outcomes is the median of their
// medians, each weighted by its acknowledgements.
func (d *digest) trendView() trend {
	var t trend
	for _, w := range d.in.Trend {
		label := w.Start.UTC().Format("2 Jan")
		if w.Missing {
			gap := commands.Point{Label: label, Missing: true}
			t.drift, t.overdue, t.ack = append(t.drift, gap), append(t.overdue, gap), append(t.ack, gap)
			continue
		}
		t.present = true
		c, ackMed, ackN := w.Total, w.Total.AckMedian, w.Total.AckN
		if !d.followAll {
			c, ackMed, ackN = d.followedCounts(w)
		}
		t.drift = append(t.drift, commands.Point{Label: label, Missing: w.Total.NewRequests == 0,
			Value: float64(roundedPercent(w.Total.Untagged, max(1, w.Total.NewRequests)))})
		t.overdue = append(t.overdue, commands.Point{Label: label, Value: float64(c.Overdue)})
		t.ack = append(t.ack, commands.Point{Label: label, Missing: ackN == 0, Value: ackMed.Hours()})
	}
	return t
}

// followedCounts sums a week's rows of the followed outcomes.
func (d *digest) followedCounts(w record.TrendWeek) (record.TrendCounts, time.Duration, int) {
	var sum record.TrendCounts
	var meds []weighted
	for _, key := range d.in.Follow {
		c, ok := w.Outcomes[key]
		if !ok {
			continue
		}
		sum.Tagged += c.Tagged
		sum.Raised += c.Raised
		sum.Acked += c.Acked
		sum.Resolved += c.Resolved
		sum.Overdue += c.Overdue
		if c.AckN > 0 {
			meds = append(meds, weighted{c.AckMedian, c.AckN})
			sum.AckN += c.AckN
		}
	}
	return sum, weightedMedian(meds, sum.AckN), sum.AckN
}

type weighted struct {
	d time.Duration
	n int
}

// weightedMedian is the value at which half of total weight is reached.
func weightedMedian(ws []weighted, total int) time.Duration {
	sort.Slice(ws, func(i, j int) bool { return ws[i].d < ws[j].d })
	acc := 0
	for _, w := range ws {
		acc += w.n
		if 2*acc >= total {
			return w.d
		}
	}
	return 0
}

// withTrends adds the trends to the lead message: the sparkline lines at
// the end of its text (so the notification text carries them too) and a
// section with up to two charts. Nothing when no week has an aggregate
// (a workspace with no history).
func (d *digest) withTrends(lead commands.Response) commands.Response {
	t := d.trendView()
	if !t.present {
		return lead
	}
	lines := []string{"", commands.Bold("Trends, last " + strconv.Itoa(len(d.in.Trend)) + " weeks")}
	if l := sparkLine("Drift", t.drift, percentText); l != "" {
		lines = append(lines, l)
	}
	lines = append(lines, sparkLine("Open beyond SLA at week end", t.overdue, countText))
	if l := sparkLine("Median time to acknowledge", t.ack, ackHoursText); l != "" {
		lines = append(lines, l)
	}
	if hasGap(t.drift, t.overdue, t.ack) {
		lines = append(lines, string(commands.SparkGap)+" no data that week (before the bot's first record, or nothing to measure)")
	}
	lead.Text = strings.TrimRight(lead.Text, "\n") + "\n" + strings.Join(lines, "\n")
	var charts []commands.Chart
	if c, ok := trendChart("Drift: % of new requests untagged", "Drift %", commands.ChartLine, t.drift); ok {
		charts = append(charts, c)
	}
	if c, ok := trendChart("Open beyond SLA at week end", "Beyond SLA", commands.ChartBar, t.overdue); ok {
		charts = append(charts, c)
	}
	if len(charts) > 0 {
		lead.Sections = append(lead.Sections, commands.Section{Charts: charts})
	}
	return lead
}

// sparkLine renders "Name: ··▁▃▅█ first → last"; "" when no point has a value.
func sparkLine(name string, ps []commands.Point, text func(float64) string) string {
	var first, last *commands.Point
	for i := range ps {
		if !ps[i].Missing {
			if first == nil {
				first = &ps[i]
			}
			last = &ps[i]
		}
	}
	if first == nil {
		return ""
	}
	return name + ": " + commands.Code(commands.Sparkline(ps)) + " " + text(first.Value) + " → " + text(last.Value)
}

// trendChart is a one-series chart of the points with a value; none when
// fewer than two have one.
func trendChart(title, series string, kind commands.ChartKind, ps []commands.Point) (commands.Chart, bool) {
	if len(ps) > commands.MaxChartPoints {
		ps = ps[len(ps)-commands.MaxChartPoints:]
	}
	present := 0
	for _, p := range ps {
		if !p.Missing {
			present++
		}
	}
	if present < 2 {
		return commands.Chart{}, false
	}
	return commands.Chart{Title: title, Kind: kind, Series: []commands.Series{{Name: series, Points: ps}}}, true
}

func hasGap(series ...[]commands.Point) bool {
	for _, ps := range series {
		for _, p := range ps {
			if p.Missing {
				return true
			}
		}
	}
	return false
}

func percentText(v float64) string { return strconv.Itoa(int(v)) + "%" }
func countText(v float64) string   { return strconv.Itoa(int(v)) }
func ackHoursText(v float64) string {
	return commands.DurationText(time.Duration(v * float64(time.Hour)).Round(time.Minute))
}
