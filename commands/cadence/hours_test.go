package cadence_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// officeHours are the business hours of these tests.
const officeHours = "Mon-Fri 08:00-18:00 Europe/London"

func londonZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// hoursEnv is the whole core with OUTCOMEBOT_BUSINESS_HOURS=officeHours,
// OUTCOMEBOT_HOLIDAYS=holidays and OUTCOMEBOT_TZ=Europe/London.
func hoursEnv(t *testing.T, holidays string) *env {
	t.Helper()
	days, err := commands.ParseHolidays(holidays)
	if err != nil {
		t.Fatal(err)
	}
	h, err := commands.ParseBusinessHours(officeHours, days)
	if err != nil {
		t.Fatal(err)
	}
	return commandstest.NewEnvWith(t, storetest.New(t), func(c *commands.Config) {
		c.BusinessHours, c.Holidays, c.DefaultTZ = h, days, londonZone(t)
	})
}

// ladderPosts runs the scheduler at each instant and returns the ladder
// steps posted at each, as plain text by the time they were posted.
func ladderPosts(t *testing.T, e *env, at ...time.Time) map[time.Time][]string {
	t.Helper()
	got := map[time.Time][]string{}
	for _, now := range at {
		p := &commandstest.Poster{}
		if err := e.Cadence.RunDue(context.Background(), p, now, "test"); err != nil {
			t.Fatal(err)
		}
		for _, post := range p.Posts() {
			if txt := commands.PlainText(post.Message.Text); !post.Update && (strings.HasPrefix(txt, "Reminder") || strings.Contains(txt, "leadership")) {
				got[now] = append(got[now], txt)
			}
		}
	}
	return got
}

// raiseFriday raises E-1 on pos (seeded) at Friday 4 Dec 2026 17:30 London and
// delivers its card; it returns the card's text and the announcement's.
func raiseFriday(t *testing.T, e *env) (card, announce string) {
	t.Helper()
	e.Clock.Set(time.Date(2026, 12, 4, 17, 30, 0, 0, londonZone(t)))
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	p := &commandstest.Poster{}
	if err := e.Core.Deliver(context.Background(), p, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	for _, post := range p.Posts() {
		if post.To.Channel == "CIT" {
			card = commandstest.Text(post.Message)
		} else {
			announce = commandstest.Text(post.Message)
		}
	}
	return card, announce
}

// TestBusinessHoursLadder: raised Friday 17:30 London with Mon-Fri
// 08:00-18:00 and a 4h SLA, the escalation is due Monday 11:30: nothing
// goes out at 21:30 Friday or over the weekend; the reminder goes Monday
// 11:30 and the raise to leadership at 15:30, each saying how long it
// waited in business time and on the wall clock.
func TestBusinessHoursLadder(t *testing.T) {
	e := hoursEnv(t, "")
	e.Seed("T1")
	card, announce := raiseFriday(t, e)
	if !strings.Contains(card, "Acknowledge: by Mon 7 Dec 11:30 GMT (SLA 4h in business hours)") {
		t.Errorf("card does not say it is due Monday 11:30:\n%s", card)
	}
	if !strings.Contains(announce, "acknowledgement expected within 4h of business hours (by Mon 7 Dec 11:30 GMT)") {
		t.Errorf("announcement does not say when it is due:\n%s", announce)
	}
	loc := londonZone(t)
	at := func(day, hh, mm int) time.Time { return time.Date(2026, 12, day, hh, mm, 0, 0, loc) }
	posts := ladderPosts(t, e, at(4, 21, 30), at(5, 1, 30), at(6, 12, 0), at(7, 11, 29), at(7, 11, 30), at(7, 15, 29), at(7, 15, 30))
	for _, quiet := range []time.Time{at(4, 21, 30), at(5, 1, 30), at(6, 12, 0), at(7, 11, 29), at(7, 15, 29)} {
		if len(posts[quiet]) > 0 {
			t.Errorf("a ladder step went out at %s: %q", quiet.Format("Mon 15:04"), posts[quiet])
		}
	}
	if got := strings.Join(posts[at(7, 11, 30)], "\n"); !strings.HasPrefix(got, "Reminder: E-1") ||
		!strings.Contains(got, "has waited 4h business time (2d 18h wall-clock) without acknowledgement (SLA 4h in business hours)") {
		t.Errorf("Monday 11:30 reminder = %q", got)
	}
	if got := strings.Join(posts[at(7, 15, 30)], "\n"); !strings.Contains(got, "unacknowledged for 8h business time (2d 22h wall-clock), twice its SLA (4h) in business hours") {
		t.Errorf("Monday 15:30 raise = %q", got)
	}
}

// TestBusinessHoursHoliday: a holiday Monday pushes the reminder to
// Tuesday 11:30.
func TestBusinessHoursHoliday(t *testing.T) {
	e := hoursEnv(t, "2026-12-07")
	e.Seed("T1")
	card, _ := raiseFriday(t, e)
	if !strings.Contains(card, "Acknowledge: by Tue 8 Dec 11:30 GMT") {
		t.Errorf("card:\n%s", card)
	}
	loc := londonZone(t)
	monday, tuesday := time.Date(2026, 12, 7, 11, 30, 0, 0, loc), time.Date(2026, 12, 8, 11, 30, 0, 0, loc)
	posts := ladderPosts(t, e, monday, tuesday)
	if len(posts[monday]) > 0 {
		t.Errorf("a reminder went out on the holiday: %q", posts[monday])
	}
	if len(posts[tuesday]) != 1 || !strings.HasPrefix(posts[tuesday][0], "Reminder: E-1") {
		t.Errorf("Tuesday 11:30: %q, want the reminder", posts[tuesday])
	}
}

// TestBusinessHoursPerOutcome: an outcome's own hours= win over the
// default: hours=24x7 reminds at 21:30 Friday; New York hours make it due
// 16:30 New York time that Friday, not Monday.
func TestBusinessHoursPerOutcome(t *testing.T) {
	e := hoursEnv(t, "")
	e.Seed("T1")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome set pos hours=24x7"), "Outcome pos updated (hours).")
	raiseFriday(t, e)
	loc := londonZone(t)
	friday := time.Date(2026, 12, 4, 21, 30, 0, 0, loc)
	if posts := ladderPosts(t, e, friday); len(posts[friday]) != 1 || !strings.Contains(posts[friday][0], "has waited 4h without acknowledgement (SLA 4h)") {
		t.Errorf("round-the-clock outcome at Friday 21:30: %q, want the reminder", posts[friday])
	}

	e2 := hoursEnv(t, "")
	e2.Seed("T1")
	e2.Expect(e2.Run("T1", "UADMIN", "CGEN", `/outcome set pos hours="Mon-Fri 09:00-17:00 America/New_York"`), "Outcome pos updated (hours).")
	// Raised 12:30 in New York, with 4h30m left that day: due 16:30 there.
	card, _ := raiseFriday(t, e2)
	if !strings.Contains(card, "Acknowledge: by Fri 4 Dec 21:30 GMT (SLA 4h in business hours)") {
		t.Errorf("New York hours card:\n%s", card)
	}
}

// TestDueStepDSTWeek: across the spring clock change the reminder still
// comes at 11:30 on the London clock (10:30 UTC, not 11:30 UTC), and the
// ticking scheduler sends each step once.
func TestDueStepDSTWeek(t *testing.T) {
	h, err := commands.ParseBusinessHours(officeHours, nil)
	if err != nil {
		t.Fatal(err)
	}
	loc := londonZone(t)
	raised := time.Date(2026, 3, 27, 17, 30, 0, 0, loc) // Friday, GMT; clocks go forward Sunday
	e := ladderOpen(raised, 0)
	var sent []time.Time
	for now := raised; now.Before(raised.Add(5 * 24 * time.Hour)); now = now.Add(time.Minute) {
		if step := cadence.DueStepIn(e, 4*time.Hour, h, now); step != cadence.StepNone {
			sent = append(sent, now)
			e.Reminders = int(step)
		}
	}
	want := []time.Time{time.Date(2026, 3, 30, 11, 30, 0, 0, loc), time.Date(2026, 3, 30, 15, 30, 0, 0, loc)}
	if len(sent) != 2 || !sent[0].Equal(want[0]) || !sent[1].Equal(want[1]) {
		t.Errorf("steps at %v, want %v", sent, want)
	}
	if got := sent[0].UTC().Format("15:04"); got != "10:30" {
		t.Errorf("reminder at %s UTC, want 10:30 UTC (11:30 BST)", got)
	}
}

// TestDigestMedianBusinessTime: the digest's median time to acknowledge
// counts business time and says the wall-clock time beside it.
func TestDigestMedianBusinessTime(t *testing.T) {
	e := hoursEnv(t, "")
	e.Seed("T1")
	raiseFriday(t, e) // Friday 17:30
	loc := londonZone(t)
	e.Clock.Set(time.Date(2026, 12, 7, 9, 10, 0, 0, loc)) // Monday 09:10: 1h 40m of business time
	e.Expect(e.Run("T1", "UIT", "CIT", "/ack E-1 looking"), "E-1")
	d, err := e.Cadence.ChannelDigest(context.Background(), "T1", "CLEAD", time.Date(2026, 12, 7, 12, 0, 0, 0, loc), digest.Input{})
	if err != nil {
		t.Fatal(err)
	}
	text := commandstest.Text(d)
	for _, m := range d.Thread {
		text += commandstest.Text(m)
	}
	if n := strings.Count(text, "Median time to acknowledge: 1h 40m business time (2d 15h wall-clock)"); n != 2 {
		t.Errorf("median shown %d times (want the headline and the outcome's):\n%s", n, text)
	}
}

// BenchmarkDueStepBusinessHours is the business-hours arithmetic of one
// ladder pass over 10,000 open escalations raised over the past 30 days
// (the store's read is measured in store/).
func BenchmarkDueStepBusinessHours(b *testing.B) {
	h, err := commands.ParseBusinessHours(officeHours, nil)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC)
	es := make([]record.Escalation, 10000)
	for i := range es {
		es[i] = ladderOpen(now.Add(-time.Duration(i)*259*time.Second), i%3)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, e := range es {
			cadence.DueStepIn(e, 4*time.Hour, h, now)
		}
	}
}
