package commands

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// Business hours: the SLA clock of escalations (the ladder, the card's due
// time, the queue, the digest's median time to acknowledge) counts only the
// time inside them. Without any, the clock runs round the clock (24×7).

// HoursForm is the form business hours are written in, for messages.
const HoursForm = "`Mon-Fri 08:00-18:00 Europe/London`"

// RoundTheClock is the hours= value that makes an outcome's clock run 24×7
// whatever the default business hours are.
const RoundTheClock = "24x7"

// maxHoursDays bounds how many calendar days Add and Between walk: a span
// beyond it is counted as wall-clock time past that point.
const maxHoursDays = 3700

// BusinessHours is a weekly opening schedule in one time zone, with
// holidays: the same opening and closing time on each working day. Its
// methods count time inside the open hours only, reading the clock as it
// reads in the zone (so an 08:00 opening stays 08:00 across a
// daylight-saving change). A nil *BusinessHours is open round the clock:
// Add and Between are plain time arithmetic.
type BusinessHours struct {
	days        [7]bool // by time.Weekday
	open, close int     // minutes after midnight; open < close <= 24h
	loc         *time.Location
	holidays    map[civilDate]bool
	spec        string
}

// civilDate is a calendar day, independent of any zone.
type civilDate struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{y, m, d}
}

// next is the following calendar day.
func (c civilDate) next() civilDate {
	return dateOf(time.Date(c.y, c.m, c.d+1, 12, 0, 0, 0, time.UTC))
}

func (c civilDate) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseBusinessHours reads business hours written as days, opening and
// closing time and an Area/City zone: "Mon-Fri 08:00-18:00 Europe/London",
// "Sun-Thu 09:00-17:30 Asia/Dubai", "Mon,Wed,Fri 07:00-24:00 UTC". Holidays
// (dates in the zone's calendar) are closed all day. "" and "24x7" read as
// nil: round the clock. Closing must be after opening on the same day. A
// bad value is a *UserError naming the expected form.
func ParseBusinessHours(s string, holidays []time.Time) (*BusinessHours, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || strings.EqualFold(s, RoundTheClock) {
		return nil, nil
	}
	shown := Clip(s, 60)
	parts := strings.Split(s, " ")
	if len(parts) != 3 {
		return nil, Userf("`%s` is not business hours: write days, hours and an Area/City zone, like %s (or `%s` for round the clock).", shown, HoursForm, RoundTheClock)
	}
	h := &BusinessHours{}
	if err := h.parseDays(parts[0]); err != nil {
		return nil, err
	}
	if err := h.parseTimes(parts[1]); err != nil {
		return nil, err
	}
	loc, err := LoadZone(parts[2])
	if err != nil {
		return nil, err
	}
	h.loc = loc
	h.spec = strings.Join([]string{h.daysText(), hhmm(h.open) + "-" + hhmm(h.close), loc.String()}, " ")
	h.holidays = make(map[civilDate]bool, len(holidays))
	for _, d := range holidays {
		h.holidays[dateOf(d)] = true
	}
	return h, nil
}

// parseDays reads "Mon-Fri", "Mon,Wed,Fri" or "Mon-Thu,Sat".
func (h *BusinessHours) parseDays(s string) error {
	bad := Userf("`%s` is not a list of days: write them like `Mon-Fri` or `Mon,Wed,Fri`, as in %s.", Clip(s, 30), HoursForm)
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := weekdayNames[strings.ToLower(from)]
		if !ok {
			return bad
		}
		b := a
		if isRange {
			if b, ok = weekdayNames[strings.ToLower(to)]; !ok {
				return bad
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			h.days[d] = true
			if d == b {
				break
			}
		}
	}
	return nil
}

// parseTimes reads "08:00-18:00" (24:00 closes at midnight).
func (h *BusinessHours) parseTimes(s string) error {
	bad := Userf("`%s` is not opening hours: write them like `08:00-18:00` (24-hour clock, closing after opening), as in %s.", Clip(s, 30), HoursForm)
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return bad
	}
	open, ok1 := clockMinutes(from)
	closing, ok2 := clockMinutes(to)
	if !ok1 || !ok2 || closing <= open {
		return bad
	}
	h.open, h.close = open, closing
	return nil
}

// clockMinutes reads "08:00" as minutes after midnight; 24:00 is allowed.
func clockMinutes(s string) (int, bool) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) == 0 || len(hs) > 2 || len(ms) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(hs)
	mm, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

func hhmm(min int) string {
	return strconv.Itoa(min/600) + strconv.Itoa(min/60%10) + ":" + strconv.Itoa(min%60/10) + strconv.Itoa(min%10)
}

// daysText renders the working days compactly: "Mon-Fri", "Mon,Wed,Fri".
func (h *BusinessHours) daysText() string {
	names := [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	var runs []string
	for i := 0; i < len(order); {
		if !h.days[order[i]] {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && h.days[order[j+1]] {
			j++
		}
		switch {
		case j == i:
			runs = append(runs, names[order[i]])
		case j == i+1:
			runs = append(runs, names[order[i]], names[order[j]])
		default:
			runs = append(runs, names[order[i]]+"-"+names[order[j]])
		}
		i = j + 1
	}
	return strings.Join(runs, ",")
}

// String is the canonical form, "Mon-Fri 08:00-18:00 Europe/London", or
// "24x7" for nil.
func (h *BusinessHours) String() string {
	if h == nil {
		return RoundTheClock
	}
	return h.spec
}

// Location is the zone the hours are read in (UTC for nil).
func (h *BusinessHours) Location() *time.Location {
	if h == nil {
		return time.UTC
	}
	return h.loc
}

// window is day's open hours as instants, or ok false when closed all day.
// An opening or closing time a daylight-saving change skips moves forward
// as the zone's clocks do.
func (h *BusinessHours) window(day civilDate) (open, closing time.Time, ok bool) {
	if !h.days[day.weekday()] || h.holidays[day] {
		return time.Time{}, time.Time{}, false
	}
	open = time.Date(day.y, day.m, day.d, h.open/60, h.open%60, 0, 0, h.loc)
	closing = time.Date(day.y, day.m, day.d, h.close/60, h.close%60, 0, 0, h.loc)
	return open, closing, closing.After(open)
}

// Add returns the instant when d of business time has passed after start:
// a 4h SLA raised Friday 17:30 with Mon-Fri 08:00-18:00 is due Monday
// 11:30. A span that ends exactly at closing ends at closing. d <= 0 and a
// nil h add wall-clock time.
func (h *BusinessHours) Add(start time.Time, d time.Duration) time.Time {
	if h == nil || d <= 0 {
		return start.Add(d)
	}
	t := start.In(h.loc)
	day := dateOf(t)
	for i := 0; i < maxHoursDays; i, day = i+1, day.next() {
		open, closing, ok := h.window(day)
		if !ok || !t.Before(closing) {
			continue
		}
		if t.Before(open) {
			t = open
		}
		left := closing.Sub(t)
		if d <= left {
			return t.Add(d).In(start.Location())
		}
		d -= left
	}
	return t.Add(d).In(start.Location())
}

// Between returns the business time from a to b (negative when b is before
// a). A nil h returns b.Sub(a).
func (h *BusinessHours) Between(a, b time.Time) time.Duration {
	if h == nil {
		return b.Sub(a)
	}
	if b.Before(a) {
		return -h.Between(b, a)
	}
	var sum time.Duration
	day := dateOf(a.In(h.loc))
	last := dateOf(b.In(h.loc))
	for i := 0; i < maxHoursDays; i, day = i+1, day.next() {
		if open, closing, ok := h.window(day); ok {
			from, to := laterOf(a, open), earlierOf(b, closing)
			if from.Before(to) {
				sum += to.Sub(from)
			}
		}
		if day == last {
			return sum
		}
	}
	return sum
}

// NextOpening is the first opening after t: the start of the next business
// morning. A nil h has none and returns the zero time.
func (h *BusinessHours) NextOpening(t time.Time) time.Time {
	if h == nil {
		return time.Time{}
	}
	day := dateOf(t.In(h.loc))
	for i := 0; i < maxHoursDays; i, day = i+1, day.next() {
		if open, _, ok := h.window(day); ok && open.After(t) {
			return open
		}
	}
	return time.Time{}
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ParseHolidays reads a comma-separated list of dates, 2026-12-25,2026-12-28
// (spaces allowed); "" is none. The dates are calendar days, closed all day
// in every business hours' own zone.
func ParseHolidays(s string) ([]time.Time, error) {
	var out []time.Time
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		d, err := time.Parse("2006-01-02", part)
		if err != nil {
			return nil, Userf("`%s` is not a date: list holidays as YYYY-MM-DD separated by commas, like `2026-12-25,2026-12-28`.", Clip(part, 30))
		}
		out = append(out, d)
	}
	return out, nil
}

// WaitedText renders how long from a to b is: wall-clock time, or with
// business hours "1h 10m business time (2d 3h wall-clock)", leaving out the
// wall-clock part when both read the same.
func WaitedText(h *BusinessHours, a, b time.Time) string {
	return BusinessText(h, h.Between(a, b), b.Sub(a))
}

// BusinessText renders a business-time span with its wall-clock span:
// "1h 10m business time (2d 3h wall-clock)"; a nil h, or both reading the
// same, renders only the wall-clock span.
func BusinessText(h *BusinessHours, business, wall time.Duration) string {
	if h == nil || DurationText(business) == DurationText(wall) {
		return DurationText(wall)
	}
	return DurationText(business) + " business time (" + DurationText(wall) + " wall-clock)"
}

// hoursCache keeps the business hours parsed from outcomes' hours=, by
// their text, so a ladder pass does not load a zone per escalation.
type hoursCache struct {
	mu     sync.Mutex
	parsed map[string]*BusinessHours
}

// HoursFor returns the business hours escalations on o count in: o's own
// hours= when it has one ("24x7" runs round the clock), else the default
// (OUTCOMEBOT_BUSINESS_HOURS); nil means round the clock. A stored value
// that no longer parses falls back to the default.
func (c *Core) HoursFor(o record.Outcome) *BusinessHours {
	if o.Hours == "" {
		return c.cfg.BusinessHours
	}
	c.hours.mu.Lock()
	defer c.hours.mu.Unlock()
	if h, ok := c.hours.parsed[o.Hours]; ok {
		return h
	}
	h, err := ParseBusinessHours(o.Hours, c.cfg.Holidays)
	if err != nil {
		c.log.Warn("outcome hours do not parse; the default applies", "outcome", o.Key, "hours", o.Hours, "err", err)
		h = c.cfg.BusinessHours
	}
	if c.hours.parsed == nil {
		c.hours.parsed = map[string]*BusinessHours{}
	}
	c.hours.parsed[o.Hours] = h
	return h
}

// SLAText renders " (SLA 4h)", " (SLA 4h in business hours)" with hours,
// or nothing for an unknown SLA.
func SLAText(sla time.Duration, h *BusinessHours) string {
	if sla <= 0 || h == nil {
		return SLASuffix(sla)
	}
	return " (SLA " + DurationText(sla) + " in business hours)"
}
