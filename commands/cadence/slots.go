package cadence

import (
	"fmt"
	"sort"
	"time"

	"github.com/robfig/cron/v3"
)

// Weekly slots: when a channel's digest is due, in its own zone, safe
// across daylight-saving changes.

// WeekOf names the ISO week of t in its location, e.g. "2026-W48".
func WeekOf(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// SlotThisWeek returns the latest scheduled digest time at or before now
// within now's ISO week in loc; ok is false when this week's slot is still
// ahead. Only this week counts: a missed slot of last week is never due.
// Slots follow WeekSlots, so a daylight-saving change never drops one.
func SlotThisWeek(spec string, loc *time.Location, now time.Time) (slot time.Time, ok bool, err error) {
	sched, err := parseSchedule(spec)
	if err != nil {
		return time.Time{}, false, err
	}
	slot, ok = latestSlot(weekSlots(sched, loc, now), time.Time{}, now)
	return slot, ok, nil
}

// WeekSlots returns the scheduled digest times of at's ISO week in loc, in
// order: the wall-clock times spec names on the calendar days of that week.
// A time that a daylight-saving change skips (02:30 on a spring-forward
// night) falls as many minutes after the jump as it was after the skipped
// hour began (02:30 → 03:30), never dropped; a time it repeats (01:30 on a
// fall-back night) counts once, at its first occurrence. A CRON_TZ prefix
// in spec is ignored: each channel's own zone applies.
func WeekSlots(spec string, loc *time.Location, at time.Time) ([]time.Time, error) {
	sched, err := parseSchedule(spec)
	if err != nil {
		return nil, err
	}
	return weekSlots(sched, loc, at), nil
}

// NextSlot returns the first scheduled digest time after now in loc, by
// WeekSlots' rules, looking up to eight years ahead.
func NextSlot(spec string, loc *time.Location, now time.Time) (time.Time, error) {
	sched, err := parseSchedule(spec)
	if err != nil {
		return time.Time{}, err
	}
	at := now.In(loc)
	for range 53 * 8 {
		for _, s := range weekSlots(sched, loc, at) {
			if s.After(now) {
				return s, nil
			}
		}
		y, m, d := mondayOf(at)
		at = wallClock(y, m, d+7, 12, 0, loc)
	}
	return time.Time{}, fmt.Errorf("next digest after %s: schedule %q names no time in the next 8 years", now.Format(time.RFC3339), spec)
}

func parseSchedule(spec string) (cron.Schedule, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("parse schedule %q: %w", spec, err)
	}
	return sched, nil
}

// weekSlots lists the slots of at's ISO week in loc (see WeekSlots).
func weekSlots(sched cron.Schedule, loc *time.Location, at time.Time) []time.Time {
	local := at.In(loc)
	week := WeekOf(local)
	y, m, d := mondayOf(local)
	spec, ok := sched.(*cron.SpecSchedule)
	if !ok { // a descriptor such as @every: cron's own stepping
		var out []time.Time
		t := sched.Next(wallClock(y, m, d, 0, 0, loc).Add(-time.Second))
		for n := 0; n < 7*24*60 && WeekOf(t) == week; n++ {
			out = append(out, t)
			t = sched.Next(t)
		}
		return out
	}
	var out []time.Time
	for i := range 7 {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC)
		if !dayMatches(spec, day) {
			continue
		}
		for h := range 24 {
			if spec.Hour&(1<<uint(h)) == 0 {
				continue
			}
			for mi := range 60 {
				if spec.Minute&(1<<uint(mi)) == 0 {
					continue
				}
				if t := wallClock(day.Year(), day.Month(), day.Day(), h, mi, loc); WeekOf(t) == week {
					out = append(out, t)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return dedupeTimes(out)
}

// dayMatches is cron's day rule: with * in day-of-month or day-of-week both
// must match, otherwise either.
func dayMatches(s *cron.SpecSchedule, day time.Time) bool {
	const star = 1 << 63
	if s.Month&(1<<uint(day.Month())) == 0 {
		return false
	}
	dom := s.Dom&(1<<uint(day.Day())) != 0
	dow := s.Dow&(1<<uint(day.Weekday())) != 0
	if s.Dom&star != 0 || s.Dow&star != 0 {
		return dom && dow
	}
	return dom || dow
}

// wallClock returns the instant the clocks in loc show the given wall time:
// the first one when a change repeats it; for a time a change skips, the
// wall time read with the offset in force before the change.
func wallClock(y int, mo time.Month, d, h, mi int, loc *time.Location) time.Time {
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	if ts := WallTimes(wall, loc); len(ts) > 0 {
		return ts[0]
	}
	return SkippedWall(wall, loc)
}

func sameWall(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute()
}

// mondayOf returns the civil date of the Monday of t's ISO week, in t's location.
func mondayOf(t time.Time) (int, time.Month, int) {
	wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
	y, m, d := t.Date()
	return time.Date(y, m, d-wd, 0, 0, 0, 0, time.UTC).Date()
}

func dedupeTimes(ts []time.Time) []time.Time {
	out := ts[:0]
	for i, t := range ts {
		if i == 0 || !t.Equal(out[len(out)-1]) {
			out = append(out, t)
		}
	}
	return out
}

// latestSlot returns the latest slot in [since, now].
func latestSlot(slots []time.Time, since, now time.Time) (time.Time, bool) {
	for i := len(slots) - 1; i >= 0; i-- {
		if s := slots[i]; !s.After(now) {
			return s, !s.Before(since)
		}
	}
	return time.Time{}, false
}
