package digest

import (
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// This file renders the digest's lead message: the title, the headline
// numbers with their change against the previous week, and the marks.

// weekLabel renders the calendar days the window touches: "16–23 Nov 2026".
func (d *digest) weekLabel() string {
	// The dates of the window's first and last instant: a Monday 09:00
	// digest covers 09:00 the Monday before to 09:00 today, so both Mondays.
	return commands.DayRangeText(d.week, d.now.Add(-time.Nanosecond))
}

// leadMessage renders the short lead message with the headline numbers.
func (d *digest) leadMessage() commands.Response {
	r := commands.Response{
		Visibility: commands.InChannel,
		Title:      "Weekly outcome digest · " + d.weekLabel(),
		Context:    d.contextLine(),
	}
	if d.in.Preview {
		r.Visibility = commands.Ephemeral
	}
	if d.quiet() {
		r.Text = "No change this week: no requests tagged, no escalations." + d.followedLine()
		return r
	}
	r.Text = strings.Join(d.headlineLines(), "\n")
	return r
}

// headlineLines renders the headline numbers with their weekly change.
func (d *digest) headlineLines() []string {
	c, p := d.cur, d.prev
	curMed, curOK := medianDuration(c.ackTimes)
	prevMed, prevOK := medianDuration(p.ackTimes)
	return []string{
		"Requests tagged: " + countWithDelta(c.tagged, p.tagged),
		"Escalations raised " + countWithDelta(c.raised, p.raised) +
			" · acknowledged " + countWithDelta(c.acked, p.acked) +
			" · resolved " + countWithDelta(c.resolved, p.resolved),
		"Open and unacknowledged beyond SLA: " + countWithDelta(c.overdue, p.overdue),
		"Median time to acknowledge: " + durationWithDelta(curMed, curOK, prevMed, prevOK),
		"Drift: " + driftText(c, p),
	}
}

// driftText renders the share of new requests tied to no outcome:
// "3 of 20 new requests tied to no outcome, 15% (▲5 pts)".
func driftText(c, p weekStats) string {
	if c.newRequests == 0 {
		return "no new requests"
	}
	pct := roundedPercent(c.untagged, c.newRequests)
	s := strconv.Itoa(c.untagged) + " of " + strconv.Itoa(c.newRequests) + " new requests tied to no outcome, " + strconv.Itoa(pct) + "%"
	if p.newRequests == 0 {
		return s + " (no new requests the week before)"
	}
	return s + " " + pointsDelta(pct, roundedPercent(p.untagged, p.newRequests))
}

// followedLine says how many outcomes a quiet digest covered.
func (d *digest) followedLine() string {
	switch n := len(d.outcomes); n {
	case 0:
		return ""
	case 1:
		return "\n1 outcome followed; it had no IT activity."
	default:
		return "\n" + strconv.Itoa(n) + " outcomes followed; none had IT activity."
	}
}

// contextLine renders the marks and the window covered.
func (d *digest) contextLine() string {
	var parts []string
	if d.in.Preview {
		parts = append(parts, "preview: only you can see this")
	}
	if d.in.Late {
		parts = append(parts, "posted late: the bot was down at the scheduled time")
	}
	if d.in.Manual {
		parts = append(parts, "posted manually")
	}
	window := "covers " + d.week.Format("2 Jan 15:04") + " – " + d.now.Format("2 Jan 15:04") + " " + d.loc.String()
	return strings.Join(append(parts, window), " · ")
}
