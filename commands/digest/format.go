package digest

import (
	"fmt"
	"sort"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// This file holds the number, duration and date formatting shared by the
// digest and the escalation ladder. Everything here is pure and
// locale-independent, so golden files stay stable.

// countWithDelta renders a count and its change against the previous week:
// "12 (▲3)", "4 (▼1)", "7 (=)".
func countWithDelta(cur, prev int) string {
	switch {
	case cur > prev:
		return fmt.Sprintf("%d (▲%d)", cur, cur-prev)
	case cur < prev:
		return fmt.Sprintf("%d (▼%d)", cur, prev-cur)
	default:
		return fmt.Sprintf("%d (=)", cur)
	}
}

// durationWithDelta renders a duration and its change against the previous
// week, compared at display precision: "4h 10m (▼1h 5m)". ok and prevOK say
// whether each week has a value at all.
func durationWithDelta(cur time.Duration, ok bool, prev time.Duration, prevOK bool) string {
	if !ok {
		return "none this week"
	}
	if !prevOK {
		return commands.DurationText(cur) + " (none the week before)"
	}
	cur, prev = cur.Truncate(time.Minute), prev.Truncate(time.Minute)
	switch {
	case cur > prev:
		return commands.DurationText(cur) + " (▲" + commands.DurationText(cur-prev) + ")"
	case cur < prev:
		return commands.DurationText(cur) + " (▼" + commands.DurationText(prev-cur) + ")"
	default:
		return commands.DurationText(cur) + " (=)"
	}
}

// roundedPercent returns n/m as a whole percentage, rounded half up; m must be > 0.
func roundedPercent(n, m int) int {
	return (200*n + m) / (2 * m)
}

// pointsDelta renders the change between two percentages: "(▲5 pts)",
// "(▼1 pt)", "(=)".
func pointsDelta(cur, prev int) string {
	d := cur - prev
	unit := " pts"
	if d == 1 || d == -1 {
		unit = " pt"
	}
	switch {
	case d > 0:
		return fmt.Sprintf("(▲%d%s)", d, unit)
	case d < 0:
		return fmt.Sprintf("(▼%d%s)", -d, unit)
	default:
		return "(=)"
	}
}

// medianDuration returns the median of ds (the mean of the middle two for an even
// count) and whether there was any value. It sorts ds in place.
func medianDuration(ds []time.Duration) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	mid := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[mid], true
	}
	return ds[mid-1] + (ds[mid]-ds[mid-1])/2, true
}
