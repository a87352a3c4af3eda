package record

import "time"

// Weekly trend aggregates: a small, fixed-size summary of one workspace's
// week, per outcome and for the whole workspace, kept for two years so the
// digest can draw trends without reading history.

// TrendRetention is how long a week's aggregate is kept after the week ends.
const TrendRetention = 2 * 365 * 24 * time.Hour

// TrendCounts are one week's numbers for one outcome or for the workspace.
type TrendCounts struct {
	// Tagged counts distinct requests whose last tag change in the week left
	// them on the outcome.
	Tagged int
	// Raised, Acked and Resolved count escalation events in the week
	// (Resolved excludes withdrawals).
	Raised, Acked, Resolved int
	// Overdue counts escalations open, unacknowledged and beyond their SLA
	// at the week's end.
	Overdue int
	// AckMedian is the median time to acknowledge of the AckN escalations
	// acknowledged in the week; zero when AckN is 0.
	AckMedian time.Duration
	AckN      int
	// NewRequests and Untagged are drift's denominator and numerator:
	// requests received in the week, and those tied to no outcome. Set on
	// the workspace's row only (untagged work belongs to no outcome).
	NewRequests, Untagged int
}

// TrendWeek is one calendar week's aggregate: Monday 00:00 UTC to the next
// Monday 00:00 UTC.
type TrendWeek struct {
	Start time.Time // the week's Monday 00:00 UTC
	// Missing is set when no aggregate is stored for the week: before the
	// workspace's first record, or not (yet) written.
	Missing bool
	// Total is the whole workspace, drift included.
	Total TrendCounts
	// Outcomes holds the outcomes read or written (those with any activity
	// in the week, when written).
	Outcomes map[string]TrendCounts
}

// TrendWeekStart returns the start of the UTC calendar week holding t.
func TrendWeekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	back := (int(day.Weekday()) + 6) % 7 // days since Monday
	return day.AddDate(0, 0, -back)
}
