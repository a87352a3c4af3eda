package digest

import (
	"strconv"
	"time"
)

// This file holds the digest's windows: which span of time it counts and
// compares, and how it names them so that no reader takes one channel's
// week for another's.

// Window is a span of time [From, To).
type Window struct {
	From, To time.Time
}

// IsZero reports whether w is unset.
func (w Window) IsZero() bool { return w.From.IsZero() && w.To.IsZero() }

// windows sets the digest's counted window and its comparison window from
// the input: Input.Week and Input.Previous when set, else (as newDigest
// starts them) the seven calendar days before Now and the seven before those.
func (d *digest) windows() {
	in := d.in
	if in.Week.IsZero() {
		d.prevEnd = d.week
		return
	}
	d.week = in.Week.From.In(d.loc)
	d.prevWeek, d.prevEnd = in.Previous.From.In(d.loc), in.Previous.To.In(d.loc)
	if in.Previous.IsZero() {
		d.prevWeek, d.prevEnd = d.week.AddDate(0, 0, -7), d.week
	}
}

// windowText names the counted window exactly, in the channel's zone:
// "week of Mon 16 Nov 09:00 – Mon 23 Nov 09:00 Europe/Berlin". When the
// clocks change inside it, both ends carry their zone abbreviation and the
// length in hours is said ("… 09:00 BST – Mon 2 Nov 09:00 GMT Europe/London,
// 169 hours"). A window cut short at Now (a preview between scheduled runs)
// is "so far" and names what it is compared with.
func (d *digest) windowText() string {
	from, to := d.week, d.now
	_, offFrom := from.Zone()
	_, offTo := to.Zone()
	layout := "Mon 2 Jan 15:04"
	if offFrom != offTo {
		layout += " MST"
	}
	text := from.Format(layout) + " – " + to.Format(layout) + " " + d.loc.String()
	if offFrom != offTo {
		text += ", " + hoursText(to.Sub(from))
	}
	if !d.in.SoFar {
		return "week of " + text
	}
	return "so far: " + text + "; compared with " + d.prevWeek.Format(layout) + " – " + d.prevEnd.Format(layout)
}

// hoursText renders a window's length in hours: "169 hours"; a length that
// is not whole hours (a half-hour clock change) as "167h 30m".
func hoursText(d time.Duration) string {
	if d%time.Hour != 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h " + strconv.FormatInt(int64(d%time.Hour/time.Minute), 10) + "m"
	}
	return strconv.FormatInt(int64(d/time.Hour), 10) + " hours"
}
