package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the text helpers every part of the core shares: durations,
// dates, clipped user text, mentions and ticket references. Everything here
// is pure and locale-independent, so golden files stay stable.

// Bounds on user-supplied text shown in messages, in runes: one long title
// cannot push a message past a platform limit.
const (
	MaxTitleRunes  = 120
	MaxKPIRunes    = 200
	MaxRefRunes    = 80
	MaxReasonRunes = 500
	// MaxNameRunes bounds a display name shown for a name span (see Name).
	MaxNameRunes = 40
)

// DurationText renders d for people, truncated to its two largest units:
// "45m", "1h 12m", "3d 4h", "2h", "<1m". Negative durations read as "<1m".
func DurationText(d time.Duration) string {
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

// StampText renders an instant in loc as "20 Nov 10:02", adding the year
// when it differs from ref's.
func StampText(t time.Time, loc *time.Location, ref time.Time) string {
	t = t.In(loc)
	if t.Year() != ref.In(loc).Year() {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("2 Jan 15:04")
}

// DayRangeText renders the calendar days first..last as "16–22 Nov 2026",
// "28 Sep – 4 Oct 2026" or "28 Dec 2026 – 3 Jan 2027".
func DayRangeText(first, last time.Time) string {
	switch {
	case first.Year() != last.Year():
		return first.Format("2 Jan 2006") + " – " + last.Format("2 Jan 2006")
	case first.Month() != last.Month():
		return first.Format("2 Jan") + " – " + last.Format("2 Jan 2006")
	default:
		return fmt.Sprintf("%d–%s", first.Day(), last.Format("2 Jan 2006"))
	}
}

// Clip prepares user-supplied text for a message: it removes markup
// runes (so stored text can never forge a mention or link) and shortens it to
// at most n runes, ending in "…" when cut, so one long title cannot push a
// message past a platform limit.
func Clip(s string, n int) string {
	s = StripMarkers(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// MentionOr renders a user id as a mention, or a placeholder when unset.
func MentionOr(id, unset string) string {
	if id == "" {
		return unset
	}
	return Mention(id)
}

// TicketText renders a ticket reference as a link when urlFor knows one,
// otherwise as code; an escalation raised without a ticket shows
// "(no ticket yet)".
func TicketText(ref string, urlFor func(string) string) string {
	if ref == "" {
		return "(no ticket yet)"
	}
	label := Clip(ref, MaxRefRunes)
	if urlFor != nil {
		if u := urlFor(ref); u != "" {
			return Link(u, label)
		}
	}
	return Code(label)
}

// SLASuffix renders " (SLA 4h)", or nothing for an unknown SLA.
func SLASuffix(sla time.Duration) string {
	if sla <= 0 {
		return ""
	}
	return " (SLA " + DurationText(sla) + ")"
}

// CountNoun renders "1 request" / "3 requests".
func CountNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// IsAre agrees "is" or "are" with n.
func IsAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// ItThey agrees "it" or "they" with n.
func ItThey(n int) string {
	if n == 1 {
		return "it"
	}
	return "they"
}
