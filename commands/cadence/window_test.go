package cadence_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/digest"
)

// windowZones have daylight-saving changes of every kind: northern and
// southern, at 01:00, 02:00 or midnight (Havana, Santiago), by half an hour
// (Lord Howe), suspended for Ramadan (Casablanca), and none (Kolkata).
var windowZones = []string{
	"Europe/London", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe",
	"America/Havana", "America/Santiago", "Africa/Casablanca", "Asia/Kolkata", "Pacific/Auckland",
}

// windowSpecs are the default schedule, times inside the spring gap and the
// autumn's repeated hour in most zones, midnight, and a daily schedule.
var windowSpecs = []string{"0 9 * * MON", "30 2 * * SUN", "30 1 * * SUN", "0 0 * * SUN", "15 2 * * *", "0 9 1 * *"}

// runsOver returns the digest's runs (the first slot of each ISO week) from
// start for about two years.
func runsOver(t *testing.T, spec string, loc *time.Location, start time.Time) []time.Time {
	t.Helper()
	var runs []time.Time
	for at := start; at.Before(start.AddDate(2, 0, 0)); at = at.AddDate(0, 0, 7) {
		slots, err := cadence.WeekSlots(spec, loc, at)
		if err != nil {
			t.Fatal(err)
		}
		if len(slots) > 0 {
			runs = append(runs, slots[0])
		}
	}
	return runs
}

// TestDigestWindowsTile: for several zones and schedules, over two years of
// runs, each digest counts from the previous run to its own and compares
// with the window before, and every instant belongs to exactly one window.
func TestDigestWindowsTile(t *testing.T) {
	start := time.Date(2026, 1, 7, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(13, 6))
	for _, name := range windowZones {
		loc := zone(t, name)
		for _, spec := range windowSpecs {
			t.Run(name+"/"+spec, func(t *testing.T) {
				runs := runsOver(t, spec, loc, start.In(loc))
				var weeks []digest.Window
				for i := 2; i < len(runs); i++ {
					w, err := cadence.DigestWindows(spec, loc, runs[i])
					if err != nil {
						t.Fatal(err)
					}
					want := digest.Window{From: runs[i-1], To: runs[i]}
					if !w.Week.From.Equal(want.From) || !w.Week.To.Equal(want.To) || w.SoFar {
						t.Fatalf("digest at %s counts %s, want %s", runs[i], show(w.Week), show(want))
					}
					if !w.Previous.From.Equal(runs[i-2]) || !w.Previous.To.Equal(runs[i-1]) {
						t.Fatalf("digest at %s compares with %s, want the window before, from %s", runs[i], show(w.Previous), runs[i-2])
					}
					if slot, due, _ := cadence.SlotThisWeek(spec, loc, runs[i]); !due || !slot.Equal(runs[i]) {
						t.Fatalf("the due runner does not post at the run %s (slot %s, due %v)", runs[i], slot, due)
					}
					weeks = append(weeks, w.Week)
				}
				first, last := weeks[0].From, weeks[len(weeks)-1].To
				for range 5000 {
					at := first.Add(time.Duration(rng.Int64N(int64(last.Sub(first)))))
					if n := containing(weeks, at); n != 1 {
						t.Fatalf("%s is in %d windows", at, n)
					}
				}
				// Every instant of every clock change's hour, minute by minute.
				for _, w := range weeks {
					if _, a := w.From.Zone(); a == offsetAt(w.To) {
						continue
					}
					for at := w.To.Add(-3 * time.Hour); at.Before(w.To.Add(3 * time.Hour)); at = at.Add(time.Minute) {
						if at.Before(last) && containing(weeks, at) != 1 {
							t.Fatalf("%s is in %d windows", at, containing(weeks, at))
						}
					}
				}
			})
		}
	}
}

func offsetAt(t time.Time) int {
	_, off := t.Zone()
	return off
}

func containing(ws []digest.Window, at time.Time) int {
	n := 0
	for _, w := range ws {
		if !at.Before(w.From) && at.Before(w.To) {
			n++
		}
	}
	return n
}

func show(w digest.Window) string {
	return w.From.Format(time.RFC3339) + " – " + w.To.Format(time.RFC3339)
}

// TestDigestRunsFollowCron: the digest runs when robfig/cron (which the
// schedule's syntax comes from) would first fire in each week, except where
// cron itself loses or repeats the time: a slot in a spring-forward gap,
// which cron skips, runs just after the jump, and a slot in a repeated
// hour, which cron fires twice, runs at its first occurrence. (Where cron
// loses a whole week after a half-hour change, the digest still runs.)
func TestDigestRunsFollowCron(t *testing.T) {
	start := time.Date(2026, 1, 7, 12, 0, 0, 0, time.UTC)
	for _, name := range windowZones {
		loc := zone(t, name)
		for _, spec := range windowSpecs {
			t.Run(name+"/"+spec, func(t *testing.T) {
				sched, err := cron.ParseStandard(spec)
				if err != nil {
					t.Fatal(err)
				}
				sched.(*cron.SpecSchedule).Location = loc
				cronFirst := map[string]time.Time{} // ISO week → cron's first fire in it
				for at := sched.Next(start.AddDate(0, 0, -14)); at.Before(start.AddDate(2, 0, 14)); at = sched.Next(at) {
					if w := cadence.WeekOf(at.In(loc)); cronFirst[w].IsZero() {
						cronFirst[w] = at
					}
				}
				for _, run := range runsOver(t, spec, loc, start.In(loc)) {
					fired, ok := cronFirst[cadence.WeekOf(run)]
					if ok && fired.Equal(run) {
						continue
					}
					// cron steps hours from the half-hour offset after Lord
					// Howe's half-hour change and skips the next Sunday
					// midnight altogether; the digest still runs that week.
					if !ok && name == "Australia/Lord_Howe" {
						continue
					}
					// Only a slot cron skips (its wall time does not exist)
					// may differ: the run is then just after a clock change.
					if _, offBefore := run.Add(-2 * time.Hour).Zone(); offBefore == offsetAt(run) {
						t.Errorf("run %s, cron first fires that week at %v (found %v), with no clock change near", run, fired, ok)
					}
				}
			})
		}
	}
}

// TestDigestWindowsAcrossClockChanges pins the windows people ask about.
func TestDigestWindowsAcrossClockChanges(t *testing.T) {
	london, ny := zone(t, "Europe/London"), zone(t, "America/New_York")
	cases := []struct {
		name      string
		spec      string
		loc       *time.Location
		asOf      time.Time
		from      string // the counted window's start, RFC 3339
		hours     float64
		prevHours float64
	}{
		{"London Monday after autumn change", "0 9 * * MON", london, at(t, london, "2026-10-26 09:00"), "2026-10-19T08:00:00Z", 169, 168},
		{"London the Monday after that", "0 9 * * MON", london, at(t, london, "2026-11-02 09:00"), "2026-10-26T09:00:00Z", 168, 169},
		{"London Monday after spring change", "0 9 * * MON", london, at(t, london, "2026-03-30 09:00"), "2026-03-23T09:00:00Z", 167, 168},
		{"NY 02:30 Sunday: the run in the gap is at 03:30", "30 2 * * SUN", ny, at(t, ny, "2026-03-08 03:30"), "2026-03-01T07:30:00Z", 168, 168},
		{"NY 02:30 Sunday: the week after the gap", "30 2 * * SUN", ny, at(t, ny, "2026-03-15 02:30"), "2026-03-08T07:30:00Z", 167, 168},
		{"NY 01:30 Sunday: the repeated hour runs once", "30 1 * * SUN", ny, time.Date(2026, 11, 8, 6, 30, 0, 0, time.UTC), "2026-11-01T05:30:00Z", 169, 168},
		{"London 01:30 Sunday: the week after the gap", "30 1 * * SUN", london, at(t, london, "2026-04-05 01:30"), "2026-03-29T01:30:00Z", 167, 168},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := cadence.DigestWindows(c.spec, c.loc, c.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Week.From.UTC().Format(time.RFC3339); got != c.from || !w.Week.To.Equal(c.asOf) {
				t.Errorf("window %s, want from %s to %s", show(w.Week), c.from, c.asOf.UTC().Format(time.RFC3339))
			}
			if h := w.Week.To.Sub(w.Week.From).Hours(); h != c.hours {
				t.Errorf("window of %v hours, want %v", h, c.hours)
			}
			if h := w.Previous.To.Sub(w.Previous.From).Hours(); h != c.prevHours || !w.Previous.To.Equal(w.Week.From) {
				t.Errorf("compared with %s (%v hours), want the %v hours before", show(w.Previous), h, c.prevHours)
			}
		})
	}
}

// TestDigestWindowsSoFar: between runs the window is the week so far,
// compared with as long a span from the run before.
func TestDigestWindowsSoFar(t *testing.T) {
	london := zone(t, "Europe/London")
	w, err := cadence.DigestWindows("0 9 * * MON", london, at(t, london, "2026-12-03 14:20"))
	if err != nil {
		t.Fatal(err)
	}
	if !w.SoFar || !w.Week.From.Equal(at(t, london, "2026-11-30 09:00")) || !w.Previous.From.Equal(at(t, london, "2026-11-23 09:00")) ||
		!w.Previous.To.Equal(at(t, london, "2026-11-26 14:20")) {
		t.Errorf("Thursday preview: %s against %s (so far %v)", show(w.Week), show(w.Previous), w.SoFar)
	}
	if _, err := cadence.DigestWindows("0 9 30 2 *", london, at(t, london, "2026-12-03 14:20")); err == nil {
		t.Error("a schedule that never runs gave windows")
	}
}

// BenchmarkDigestWindows is the window math one digest adds: the default
// schedule in London, as of a run.
func BenchmarkDigestWindows(b *testing.B) {
	london := zone(b, "Europe/London")
	asOf := at(b, london, "2026-10-26 09:00")
	for b.Loop() {
		if _, err := cadence.DigestWindows("0 9 * * MON", london, asOf); err != nil {
			b.Fatal(err)
		}
	}
}
