package digest

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
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
	if d.single() {
		r.Title = "Outcome digest · " + d.in.Outcome + " · " + d.weekLabel()
	}
	if d.quiet() {
		r.Text = "No change this week: no requests tagged, no escalations." + d.followedLine()
		return r
	}
	lines := d.attentionLines()
	headline := d.headlineLines()
	if len(lines) > 0 {
		lines = append([]string{commands.Bold("Needs attention")}, lines...)
		if len(headline) > 0 {
			lines = append(lines, "", commands.Bold("This week"))
		}
	}
	r.Text = strings.Join(append(lines, headline...), "\n")
	return r
}

// maxAttention is how many items the lead message puts first.
const maxAttention = 3

// attentionLines are the items that most need leadership, most urgent
// first: escalations unacknowledged beyond their SLA (longest waiting
// first), then acknowledged ones still open (oldest first), then starved
// outcomes; each with its outcome, IT owner and age. At most maxAttention.
func (d *digest) attentionLines() []string {
	var overdue, acked []*record.Escalation
	for _, od := range d.outcomes {
		for _, e := range od.open {
			switch {
			case e.State == record.StateOpen && d.overdueAt(e, d.now):
				overdue = append(overdue, e)
			case e.State == record.StateAcknowledged:
				acked = append(acked, e)
			}
		}
	}
	byAge := func(es []*record.Escalation) {
		sort.SliceStable(es, func(i, j int) bool { return raisedBefore(es[i], es[j]) })
	}
	byAge(overdue)
	byAge(acked)
	var lines []string
	for _, e := range overdue {
		lines = append(lines, "• "+d.escalationLead(e)+": unacknowledged for "+commands.DurationText(d.now.Sub(e.RaisedAt))+
			", beyond its "+commands.DurationText(d.slaOf(e.Outcome))+" SLA")
	}
	for _, e := range acked {
		lines = append(lines, "• "+d.escalationLead(e)+": acknowledged, still open after "+commands.DurationText(d.now.Sub(e.RaisedAt)))
	}
	for _, od := range d.outcomes {
		if od.starved() && len(od.open) == 0 {
			lines = append(lines, "• "+commands.Code(od.o.Key)+" (IT owner "+commands.NameOr(od.o.ITOwner, "not set")+"): no IT work this week")
		}
	}
	if len(lines) > maxAttention {
		lines = lines[:maxAttention]
	}
	return lines
}

// escalationLead names an escalation for the lead message: number, ticket,
// outcome and who owns it in IT.
func (d *digest) escalationLead(e *record.Escalation) string {
	owner := "not set"
	if od := d.byKey[e.Outcome]; od != nil && od.o.ITOwner != "" {
		owner = commands.Name(od.o.ITOwner)
	}
	return commands.EscID(e.N) + " " + commands.TicketText(e.Ref, d.in.TicketURL) + " (" + commands.Code(e.Outcome) + ", IT owner " + owner + ")"
}

// headlineLines renders the headline numbers with their weekly change. A
// number that was zero both weeks says nothing and is left out.
func (d *digest) headlineLines() []string {
	c, p := d.cur, d.prev
	curMed, curOK := medianDuration(c.ackTimes)
	prevMed, prevOK := medianDuration(p.ackTimes)
	var lines []string
	if c.tagged+p.tagged > 0 {
		lines = append(lines, "Requests tagged: "+countWithDelta(c.tagged, p.tagged, upIsBetter))
	}
	var esc []string
	for _, n := range []struct {
		label     string
		cur, prev int
		dir       direction
	}{
		{"raised", c.raised, p.raised, upIsWorse},
		{"acknowledged", c.acked, p.acked, upIsBetter},
		{"resolved", c.resolved, p.resolved, upIsBetter},
		{"withdrawn", c.withdrawn, p.withdrawn, upIsBetter},
		{"reopened", c.reopened, p.reopened, upIsWorse},
	} {
		if n.cur+n.prev > 0 {
			esc = append(esc, n.label+" "+countWithDelta(n.cur, n.prev, n.dir))
		}
	}
	if len(esc) > 0 {
		lines = append(lines, "Escalations "+strings.Join(esc, " · "))
	}
	if c.overdue+p.overdue > 0 {
		lines = append(lines, "Open and unacknowledged beyond SLA: "+countWithDelta(c.overdue, p.overdue, upIsWorse))
	}
	if curOK || prevOK {
		lines = append(lines, "Median time to acknowledge: "+c.acks.withWall(durationWithDelta(curMed, curOK, prevMed, prevOK), curMed))
	}
	if !d.single() && c.newRequests+p.newRequests > 0 {
		lines = append(lines, "Drift: "+driftText(c, p))
	}
	return lines
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
	return strings.Join(append(parts, d.windowText()), " · ")
}
