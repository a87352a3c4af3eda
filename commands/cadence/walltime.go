package cadence

import (
	"slices"
	"time"
)

// WallTimes returns the instants at which the clocks in loc show wall's
// date and time of day (wall's own location is ignored), earliest first:
// none when a daylight-saving change skips that wall time (02:30 on a
// spring-forward night), two when a change repeats it (01:30 on a
// fall-back night), else one.
func WallTimes(wall time.Time, loc *time.Location) []time.Time {
	w := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
	var out []time.Time
	// The offsets in force a day and a half either side cover any change
	// near the wall time.
	for _, probe := range []time.Time{w.Add(-36 * time.Hour), w, w.Add(36 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		t := w.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(t, w) && t.Second() == w.Second() && t.Nanosecond() == w.Nanosecond() &&
			!slices.ContainsFunc(out, t.Equal) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// SkippedWall returns the instant a wall time that a spring-forward change
// skips stands for when read with the offset in force before the change
// (02:30 → 03:30 after a one-hour jump): the scheduler's reading of it.
func SkippedWall(wall time.Time, loc *time.Location) time.Time {
	w := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
	_, before := w.Add(-36 * time.Hour).In(loc).Zone()
	return w.Add(-time.Duration(before) * time.Second).In(loc)
}
