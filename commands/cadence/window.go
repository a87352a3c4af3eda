package cadence

import (
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/robfig/cron/v3"
)

// The digest's windows. A channel's digest runs once per ISO week of its
// zone, at the week's first slot (see WeekSlots; weeks the schedule names
// no time in have no run). A scheduled digest counts from the previous run
// to its own, and compares with the window before: consecutive windows
// share their ends, so every instant is counted by exactly one digest,
// whatever the daylight-saving changes in between. Slots in a skipped hour
// are moved past the jump and a repeated hour's time counts once (see
// WeekSlots), so a schedule inside the gap or the repeated hour still runs
// once a week; each window then lasts 167 or 169 hours (a half-hour change:
// 167½ or 168½) around the change, never overlapping the next.

// Windows are what a digest as of some instant counts and compares with.
type Windows struct {
	// Week is counted; Previous is the window it is compared with.
	Week, Previous digest.Window
	// SoFar marks a Week cut short: the digest was asked for between two
	// runs (a preview or a manual post), so Week runs from the last run to
	// then, and Previous is as long, from the run before.
	SoFar bool
}

// runsBack bounds how far back a run is looked for: eight years of weeks.
const runsBack = 53 * 8

// DigestWindows returns the windows of a digest as of asOf, for the digest
// schedule spec in loc. At a run, Week is [previous run, asOf) and Previous
// the window before it; between runs, Week is the week so far.
func DigestWindows(spec string, loc *time.Location, asOf time.Time) (Windows, error) {
	sched, err := parseSchedule(spec)
	if err != nil {
		return Windows{}, err
	}
	return digestWindows(sched, loc, asOf)
}

func digestWindows(sched cron.Schedule, loc *time.Location, asOf time.Time) (Windows, error) {
	fail := func(t time.Time) (Windows, error) {
		return Windows{}, fmt.Errorf("digest window as of %s: the schedule names no time in the 8 years before %s",
			asOf.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	run, ok := runAtOrBefore(sched, loc, asOf)
	if !ok {
		return fail(asOf)
	}
	from, ok := runAtOrBefore(sched, loc, run.Add(-time.Nanosecond))
	if !ok {
		return fail(run)
	}
	if !run.Equal(asOf) { // between runs: the week so far, against as long a span of the one before
		prevTo := from.Add(asOf.Sub(run))
		if prevTo.After(run) {
			prevTo = run
		}
		return Windows{Week: digest.Window{From: run, To: asOf}, Previous: digest.Window{From: from, To: prevTo}, SoFar: true}, nil
	}
	prevFrom, ok := runAtOrBefore(sched, loc, from.Add(-time.Nanosecond))
	if !ok {
		return fail(from)
	}
	return Windows{Week: digest.Window{From: from, To: run}, Previous: digest.Window{From: prevFrom, To: from}}, nil
}

// weekRun returns the run of at's ISO week in loc: its first slot.
func weekRun(sched cron.Schedule, loc *time.Location, at time.Time) (time.Time, bool) {
	slots := weekSlots(sched, loc, at)
	if len(slots) == 0 {
		return time.Time{}, false
	}
	return slots[0], true
}

// runAtOrBefore returns the latest run at or before t, looking back up to
// runsBack weeks.
func runAtOrBefore(sched cron.Schedule, loc *time.Location, t time.Time) (time.Time, bool) {
	at := t.In(loc)
	for range runsBack {
		if run, ok := weekRun(sched, loc, at); ok && !run.After(t) {
			return run, true
		}
		y, m, d := mondayOf(at)
		at = wallClock(y, m, d-7, 12, 0, loc)
	}
	return time.Time{}, false
}

// digestWindows sets marks' windows for a digest as of now in loc and
// returns where its data read starts. A schedule that names no time (it
// cannot run at all) leaves the digest's own default: the seven calendar
// days before now, against the seven before those.
func (c *Cadence) digestWindows(loc *time.Location, now time.Time, marks *digest.Input) time.Time {
	w, err := DigestWindows(c.cfg.DigestCron, loc, now)
	if err != nil {
		c.log.Warn("digest windows fall back to calendar weeks", "err", err)
		return now.AddDate(0, 0, -14)
	}
	marks.Week, marks.Previous, marks.SoFar = w.Week, w.Previous, w.SoFar
	return w.Previous.From
}
