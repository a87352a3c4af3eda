package commands

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the number, duration and date formatting shared by the
// digest and the escalation ladder. Everything here is pure and
// locale-independent, so golden files stay stable.

// durationText renders d for people, truncated to its two largest units:
// "45m", "1h 12m", "3d 4h", "2h", "<1m". Negative durations read as "<1m".
func durationText(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return "<1m"
	case d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d < day:
		return unitPair(int64(d/time.Hour), "h", int64(d%time.Hour/time.Minute), "m")
	default:
		return unitPair(int64(d/day), "d", int64(d%day/time.Hour), "h")
	}
}

// unitPair renders "3d 4h", leaving out a zero second unit ("3d").
func unitPair(a int64, ua string, b int64, ub string) string {
	s := strconv.FormatInt(a, 10) + ua
	if b == 0 {
		return s
	}
	return s + " " + strconv.FormatInt(b, 10) + ub
}

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
		return durationText(cur) + " (none the week before)"
	}
	cur, prev = cur.Truncate(time.Minute), prev.Truncate(time.Minute)
	switch {
	case cur > prev:
		return durationText(cur) + " (▲" + durationText(cur-prev) + ")"
	case cur < prev:
		return durationText(cur) + " (▼" + durationText(prev-cur) + ")"
	default:
		return durationText(cur) + " (=)"
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

// stampText renders an instant in loc as "20 Nov 10:02", adding the year
// when it differs from ref's.
func stampText(t time.Time, loc *time.Location, ref time.Time) string {
	t = t.In(loc)
	if t.Year() != ref.In(loc).Year() {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("2 Jan 15:04")
}

// dayRangeText renders the calendar days first..last as "16–22 Nov 2026",
// "28 Sep – 4 Oct 2026" or "28 Dec 2026 – 3 Jan 2027".
func dayRangeText(first, last time.Time) string {
	switch {
	case first.Year() != last.Year():
		return first.Format("2 Jan 2006") + " – " + last.Format("2 Jan 2006")
	case first.Month() != last.Month():
		return first.Format("2 Jan") + " – " + last.Format("2 Jan 2006")
	default:
		return fmt.Sprintf("%d–%s", first.Day(), last.Format("2 Jan 2006"))
	}
}

// clipRunes prepares user-supplied text for a message: it removes markup
// runes (so stored text can never forge a mention or link) and shortens it to
// at most n runes, ending in "…" when cut, so one long title cannot push a
// message past a platform limit.
func clipRunes(s string, n int) string {
	s = StripMarkers(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// mentionOr renders a user id as a mention, or a placeholder when unset.
func mentionOr(id, unset string) string {
	if id == "" {
		return unset
	}
	return Mention(id)
}

// ticketText renders a ticket reference as a link when urlFor knows one,
// otherwise as code.
func ticketText(ref string, urlFor func(string) string) string {
	label := clipRunes(ref, maxRefRunes)
	if urlFor != nil {
		if u := urlFor(ref); u != "" {
			return Link(u, label)
		}
	}
	return Code(label)
}
