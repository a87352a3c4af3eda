package intake

import (
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"

	"github.com/outcomebot/outcomebot/store/record"
)

// closedStatuses are the status words (lower case, single spaces) that mean
// the work is finished, from ServiceNow (incident, request item, change,
// problem), Jira's usual workflows and spreadsheets.
var closedStatuses = map[string]bool{
	"closed": true, "close": true, "resolved": true, "done": true, "complete": true,
	"completed": true, "cancelled": true, "canceled": true, "closed complete": true,
	"closed incomplete": true, "closed skipped": true, "rejected": true, "declined": true,
	"won't do": true, "wont do": true, "won't fix": true, "fixed": true, "finished": true,
	"abandoned": true, "withdrawn": true,
}

// closedPrefixes catch the variants ("Closed - Resolved", "Resolved by caller").
var closedPrefixes = []string{"closed", "resolved", "cancel", "done", "complete"}

// ParseStatus maps a source's status word to record.RequestClosed when it
// means the work is finished (Closed, Resolved, Done, Cancelled, Closed
// Complete…, any case), "" for an empty one (keep the status), and
// record.RequestOpen for anything else (New, In Progress, On Hold, To Do…):
// an unknown status is still work.
func ParseStatus(s string) string {
	s = strings.ToLower(strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '_' || r == '\t'
	}), " "))
	if s == "" {
		return ""
	}
	if closedStatuses[s] {
		return record.RequestClosed
	}
	for _, p := range closedPrefixes {
		if strings.HasPrefix(s, p) {
			return record.RequestClosed
		}
	}
	return record.RequestOpen
}

// zonedLayouts are dates that carry their zone.
var zonedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.000Z0700", // Jira: 2026-11-16T09:12:44.000+0000
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z0700",
	time.RFC1123Z,
	time.RFC1123,
}

// localLayouts are dates without a zone, read in the caller's zone.
var localLayouts = []string{
	"2006-01-02 15:04:05", // ServiceNow: 2026-11-16 09:12:44
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"02.01.2006 15:04:05",
	"02.01.2006 15:04",
	"02.01.2006",
	"2 Jan 2006 15:04",
	"2 Jan 2006",
	"Jan 2, 2006",
}

// ParseIntakeTime reads a date as ITSMs and spreadsheets write it: RFC 3339
// (2026-11-16T09:12:44Z), Jira's 2026-11-16T09:12:44.000+0000, ServiceNow's
// 2026-11-16 09:12:44, a plain 2026-11-16, 16.11.2026, 16 Nov 2026, unix
// seconds or milliseconds, and day/month/year or month/day/year with
// slashes when the numbers leave no doubt (16/11/2026, 11/16/2026; 3/11/2026
// is refused as ambiguous). Dates without a zone are in loc. The error is a
// *UserError that says what to write.
func ParseIntakeTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.UTC
	}
	// No string parses both with and without a zone, so the order of the
	// two lists only matters for speed: spreadsheets mostly have no zone.
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	if t, ok := unixTime(s); ok {
		return t, nil
	}
	if t, ok, ambiguous := slashDate(s, loc); ok {
		return t, nil
	} else if ambiguous {
		return time.Time{}, commands.Userf("date %q is ambiguous (day/month or month/day?): write it as 2026-11-03", commands.Clip(s, 40))
	}
	return time.Time{}, commands.Userf("%q is not a date: write it like 2026-11-16, 2026-11-16 09:30 or 2026-11-16T09:30:00Z", commands.Clip(s, 40))
}

// unixTime reads 10 digits as unix seconds and 13 as milliseconds.
func unixTime(s string) (time.Time, bool) {
	if len(s) != 10 && len(s) != 13 {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	if len(s) == 13 {
		return time.UnixMilli(n).UTC(), true
	}
	return time.Unix(n, 0).UTC(), true
}

// slashDate reads a/b/yyyy [hh:mm[:ss]] as day/month or month/day when
// only one reading is a valid date.
func slashDate(s string, loc *time.Location) (t time.Time, ok, ambiguous bool) {
	date, clock, _ := strings.Cut(s, " ")
	parts := strings.Split(date, "/")
	if len(parts) != 3 || len(parts[2]) != 4 {
		return time.Time{}, false, false
	}
	a, err1 := strconv.Atoi(parts[0])
	b, err2 := strconv.Atoi(parts[1])
	y, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return time.Time{}, false, false
	}
	var hh, mm, ss int
	if clock = strings.TrimSpace(clock); clock != "" {
		c, err := time.Parse("15:04:05", clock)
		if err != nil {
			if c, err = time.Parse("15:04", clock); err != nil {
				return time.Time{}, false, false
			}
		}
		hh, mm, ss = c.Clock()
	}
	valid := func(day, month int) bool {
		if month < 1 || month > 12 || day < 1 {
			return false
		}
		return time.Date(y, time.Month(month), day, 0, 0, 0, 0, loc).Day() == day
	}
	dm, md := valid(a, b), valid(b, a)
	switch {
	case dm && md && a != b:
		return time.Time{}, false, true
	case dm:
		return time.Date(y, time.Month(b), a, hh, mm, ss, 0, loc), true, false
	case md:
		return time.Date(y, time.Month(a), b, hh, mm, ss, 0, loc), true, false
	}
	return time.Time{}, false, false
}
