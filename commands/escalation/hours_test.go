package escalation_test

import (
	"context"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// hoursEnv runs with OUTCOMEBOT_BUSINESS_HOURS="Mon-Fri 08:00-18:00
// Europe/London", OUTCOMEBOT_HOLIDAYS=holidays and OUTCOMEBOT_TZ
// Europe/London, with E-1 raised on pos at Friday 4 Dec 2026 17:30.
func hoursEnv(t *testing.T, holidays string) (*env, *time.Location) {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	days, err := commands.ParseHolidays(holidays)
	if err != nil {
		t.Fatal(err)
	}
	h, err := commands.ParseBusinessHours("Mon-Fri 08:00-18:00 Europe/London", days)
	if err != nil {
		t.Fatal(err)
	}
	e := commandstest.NewEnvWith(t, storetest.New(t), func(c *commands.Config) {
		c.BusinessHours, c.Holidays, c.DefaultTZ = h, days, loc
	})
	e.Seed("T1")
	e.Clock.Set(time.Date(2026, 12, 4, 17, 30, 0, 0, loc))
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	if err := e.Core.Deliver(context.Background(), &commandstest.Poster{}, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	return e, loc
}

// TestSnoozeMorningBusinessHours: "until next business morning" is the
// next opening of the escalation's business hours: Monday 08:00 after a
// Friday evening, Tuesday when Monday is a holiday, and the next weekday
// 09:00 for an outcome that runs round the clock.
func TestSnoozeMorningBusinessHours(t *testing.T) {
	e, _ := hoursEnv(t, "")
	e.Expect(e.Click("T1", "UIT", "snooze", "E-1 morning", commands.MessageRef{Channel: "CIT", ID: "card"}), "E-1 snoozed until Mon 7 Dec 08:00 GMT")

	e, _ = hoursEnv(t, "2026-12-07")
	e.Expect(e.Run("T1", "UIT", "CIT", "/escalate snooze E-1 morning"), "E-1 snoozed until Tue 8 Dec 08:00 GMT")

	e, _ = hoursEnv(t, "")
	e.Run("T1", "UADMIN", "CGEN", "/outcome set pos hours=24x7")
	e.Expect(e.Run("T1", "UIT", "CIT", "/escalate snooze E-1 morning"), "E-1 snoozed until Mon 7 Dec 09:00 GMT")
}

// TestQueueBusinessHours: the queue counts overdue time in business hours:
// due Monday 11:30, it is overdue by 2h at 13:30, not by 2d 20h.
func TestQueueBusinessHours(t *testing.T) {
	e, loc := hoursEnv(t, "")
	e.Clock.Set(time.Date(2026, 12, 4, 17, 45, 0, 0, loc))
	e.Expect(e.Run("T1", "UIT", "CIT", "/escalate list"), "E-1", "due in 2d 17h")
	e.Clock.Set(time.Date(2026, 12, 7, 13, 30, 0, 0, loc))
	e.Expect(e.Run("T1", "UIT", "CIT", "/escalate list overdue"), "E-1", "overdue by 2h")
}
