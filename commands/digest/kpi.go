package digest

import (
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// This file renders each outcome's own number beside the IT work tagged to
// it: the KPI's latest value and its trend over the last kpiTrendWeeks
// weeks, and a flag when the business owner has not confirmed for
// staleAfter that the outcome is still a priority. It reads Input.KPIs
// only: nil (not read) shows nothing.

const (
	// kpiTrendWeeks is how many weeks the KPI's trend spans.
	kpiTrendWeeks = 12
	// staleAfterDays is how long an outcome may go unconfirmed by its
	// business owner before the digest flags it as stale.
	staleAfterDays = 28
)

// KPISince is the earliest KPI value a digest run at now draws: the start
// of its trend's first week. Older values matter only as the latest one.
func KPISince(now time.Time) time.Time { return now.AddDate(0, 0, -7*kpiTrendWeeks) }

// kpiLines are the stale flag and the KPI value lines of one outcome.
func (d *digest) kpiLines(od *outcomeDigest) []string {
	if d.in.KPIs == nil {
		return nil
	}
	k := d.in.KPIs[od.o.Key]
	var lines []string
	if since, ok := d.staleSince(od.o, k); ok {
		lines = append(lines, "⚠ Stale — owner has not confirmed it is still a priority since "+since.In(d.loc).Format("2 Jan 2006")+".")
	}
	if v, ok := k.Latest(); ok {
		line := "KPI value: " + commands.Clip(v.Text(), 40) + " (" + commands.StampText(v.At, d.loc, d.now) + ")"
		if t := d.kpiTrend(k.Values); t != "" {
			line += " · " + "12-week trend " + commands.Code(t)
		}
		lines = append(lines, line)
	}
	return lines
}

// staleSince reports whether an active outcome went unconfirmed for
// staleAfterDays calendar days, and since when: its last confirmation, or
// its creation when it was never confirmed.
func (d *digest) staleSince(o record.Outcome, k record.OutcomeKPI) (time.Time, bool) {
	if o.Status == record.OutcomeArchived {
		return time.Time{}, false
	}
	since := o.CreatedAt
	if k.ConfirmedAt.After(since) {
		since = k.ConfirmedAt
	}
	if since.IsZero() || since.In(d.loc).AddDate(0, 0, staleAfterDays).After(d.now) {
		return time.Time{}, false
	}
	return since, true
}

// kpiTrend renders the latest value of each of the last kpiTrendWeeks
// weeks (calendar weeks of the digest's zone ending now) as a sparkline,
// oldest first, a week without a value as trendGap; "" when no week has one.
func (d *digest) kpiTrend(values []record.KPIValue) string {
	weekly := make([]commands.Point, kpiTrendWeeks)
	for i := range kpiTrendWeeks {
		weekly[i].Missing = true
		from := d.now.AddDate(0, 0, -7*(kpiTrendWeeks-i))
		to := d.now.AddDate(0, 0, -7*(kpiTrendWeeks-i-1))
		for _, v := range values { // oldest first: the last one in the week wins
			if inWindow(v.At, from, to) {
				weekly[i] = commands.Point{Value: v.Value}
			}
		}
	}
	return commands.SparklineRange(weekly)
}
