package commands

import (
	"strconv"
	"strings"
	"time"
)

// TimeStyle says which parts of an instant a time span shows.
type TimeStyle byte

// Time styles.
const (
	// TimeDateTime shows the date and the time ("Mon 7 Dec 10:00 GMT").
	TimeDateTime TimeStyle = 'f'
	// TimeClock shows the time of day only ("10:00 GMT").
	TimeClock TimeStyle = 'c'
)

// fallbackLayout is how a style reads in text that cannot localise.
func (s TimeStyle) fallbackLayout() string {
	if s == TimeClock {
		return "15:04 MST"
	}
	return "Mon 2 Jan 15:04 MST"
}

// Time marks an instant that each reader sees in their own time zone where
// the platform can do that (Slack's date token, Teams card date functions).
// Everywhere else (plain text, the shell, a platform's fallback) it reads
// as the instant in loc (the bot's default zone, OUTCOMEBOT_TZ) with the
// zone's abbreviation, so the text always names its zone. loc nil is UTC.
func Time(t time.Time, style TimeStyle, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	if style != TimeClock {
		style = TimeDateTime
	}
	return mark(SpanTime, strconv.FormatInt(t.Unix(), 10)+":"+string(rune(style)), t.In(loc).Format(style.fallbackLayout()))
}

// Time returns a time span's instant and style; ok is false for any other
// span, or a target the core did not write (renderers then show Text as
// plain text).
func (s Span) Time() (t time.Time, style TimeStyle, ok bool) {
	if s.Kind != SpanTime {
		return time.Time{}, 0, false
	}
	secs, st, found := strings.Cut(s.Target, ":")
	if !found || secs == "" || len(secs) > 12 || (st != string(rune(TimeDateTime)) && st != string(rune(TimeClock))) {
		return time.Time{}, 0, false
	}
	for i := 0; i < len(secs); i++ {
		if secs[i] < '0' || secs[i] > '9' {
			return time.Time{}, 0, false
		}
	}
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, 0, false
	}
	return time.Unix(n, 0).UTC(), TimeStyle(st[0]), true
}
