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

// Direction says whether a rise in a number is good news or bad.
type direction bool

const (
	upIsBetter direction = true
	upIsWorse  direction = false
)

// verdict words a change for a reader who must not misread an arrow:
// "better" or "worse".
func verdict(rose bool, dir direction) string {
	if rose == bool(dir) {
		return "better"
	}
	return "worse"
}

// countWithDelta renders a count and its change against the previous week,
// said as better or worse: "12 (▲3, better)", "4 (▼1, worse)", "7 (=)".
func countWithDelta(cur, prev int, dir direction) string {
	switch {
	case cur > prev:
		return fmt.Sprintf("%d (▲%d, %s)", cur, cur-prev, verdict(true, dir))
	case cur < prev:
		return fmt.Sprintf("%d (▼%d, %s)", cur, prev-cur, verdict(false, dir))
	default:
		return fmt.Sprintf("%d (=)", cur)
	}
}

// durationWithDelta renders a time to acknowledge and its change against
// the previous week, compared at display precision and said as better
// (shorter) or worse: "4h 10m (▼1h 5m, better)". ok and prevOK say
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
		return commands.DurationText(cur) + " (▲" + commands.DurationText(cur-prev) + ", worse)"
	case cur < prev:
		return commands.DurationText(cur) + " (▼" + commands.DurationText(prev-cur) + ", better)"
	default:
		return commands.DurationText(cur) + " (=)"
	}
}

// roundedPercent returns n/m as a whole percentage, rounded half up; m must be > 0.
func roundedPercent(n, m int) int {
	return (200*n + m) / (2 * m)
}

// pointsDelta renders the change between two drift percentages, said as
// better (less drift) or worse: "(▲5 pts, worse)", "(▼1 pt, better)", "(=)".
func pointsDelta(cur, prev int) string {
	d := cur - prev
	unit := " pts"
	if d == 1 || d == -1 {
		unit = " pt"
	}
	switch {
	case d > 0:
		return fmt.Sprintf("(▲%d%s, worse)", d, unit)
	case d < 0:
		return fmt.Sprintf("(▼%d%s, better)", -d, unit)
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
