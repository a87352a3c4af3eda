package digest

import (
	"sort"
	"strconv"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// This file renders the digest's detail: one section per outcome, riskiest
// first, the untagged work, the starved outcomes and the accountability
// lines, packed into thread messages that each stay inside platform limits.

// detailMessages renders the detail sections and packs them into messages.
func (d *digest) detailMessages() []commands.Response {
	sections := make([]commands.Section, 0, len(d.outcomes)+2)
	for _, od := range d.outcomes {
		sections = append(sections, d.outcomeSection(od))
	}
	sections = append(sections, d.driftSections()...)
	sections = append(sections, d.accountabilitySections()...)
	return d.packMessages(sections)
}

// outcomeSection renders one outcome's section.
func (d *digest) outcomeSection(od *outcomeDigest) commands.Section {
	o := od.o
	title := commands.Clip(o.Title, commands.MaxTitleRunes) + " (" + o.Key + ")"
	if o.Status == record.OutcomeArchived {
		title = commands.Clip(o.Title, commands.MaxTitleRunes) + " (" + o.Key + ", archived)"
	}
	lines := make([]string, 0, 8+maxListedOpen)
	if od.starved() {
		lines = append(lines, "⚠ Starved: no IT activity this week (no tags, no escalation events).")
	}
	// Each fact once, and only where it says something: no KPI line when
	// none is set, owners where work waits or the outcome is starved, no
	// zero counts.
	if o.KPI != "" {
		lines = append(lines, "KPI: "+commands.Clip(o.KPI, commands.MaxKPIRunes))
	}
	lines = append(lines, d.kpiLines(od)...)
	if len(od.open) > 0 || od.starved() {
		lines = append(lines, "Business owner: "+commands.MentionOr(o.Owner, "not set")+" · IT owner: "+commands.MentionOr(o.ITOwner, "not set"))
	}
	if open := d.in.Data.OpenTagged[o.Key]; open > 0 || od.newOpen > 0 {
		lines = append(lines, "Open tagged requests: "+strconv.Itoa(open)+" ("+strconv.Itoa(od.newOpen)+" new this week)")
	}
	lines = append(lines, d.openEscalationLines(od)...)
	if e := od.oldestUnacked; e != nil {
		lines = append(lines, "Oldest unacknowledged: "+commands.EscID(e.N)+" "+commands.TicketText(e.Ref, d.in.TicketURL)+
			", raised by "+raisersText(e)+" "+commands.StampText(e.RaisedAt, d.loc, d.now)+
			", waiting "+commands.DurationText(d.now.Sub(e.RaisedAt))+commands.SLASuffix(od.sla))
	}
	if len(od.ackTimes) > 0 {
		lines = append(lines, "Median time to acknowledge: "+ackSummary(od))
	}
	if len(lines) == 0 {
		lines = append(lines, "Tagged work, nothing waiting.")
	}
	return commands.Section{Title: title, Text: fitLines(lines, maxSectionBytes)}
}

// openEscalationLines lists an outcome's open escalations, oldest first,
// with their age; at most maxListedOpen of them.
func (d *digest) openEscalationLines(od *outcomeDigest) []string {
	if len(od.open) == 0 {
		return nil
	}
	head := "Open escalations: " + strconv.Itoa(len(od.open))
	if od.overdue > 0 {
		head += " (" + strconv.Itoa(od.overdue) + " unacknowledged beyond SLA)"
	}
	lines := []string{head}
	for i, e := range od.open {
		if i == maxListedOpen {
			lines = append(lines, "• … and "+strconv.Itoa(len(od.open)-i)+" more")
			break
		}
		state := "acknowledged"
		if e.State == record.StateOpen {
			state = "unacknowledged"
		}
		line := "• " + commands.EscID(e.N) + " " + commands.Code(commands.Clip(e.Ref, commands.MaxRefRunes)) +
			" " + state + ", open " + commands.DurationText(d.now.Sub(e.RaisedAt))
		if d.now.Before(e.SnoozedUntil) {
			line += ", snoozed until " + commands.StampText(e.SnoozedUntil, d.loc, d.now)
		}
		lines = append(lines, line)
	}
	return lines
}

// ackSummary renders an outcome's median time to acknowledge this week.
func ackSummary(od *outcomeDigest) string {
	m, ok := medianDuration(od.ackTimes)
	if !ok {
		return "no acknowledgements this week"
	}
	n := len(od.ackTimes)
	if n == 1 {
		return commands.DurationText(m) + " (1 acknowledgement)"
	}
	return commands.DurationText(m) + " (" + strconv.Itoa(n) + " acknowledgements)"
}

// maxDriftTop is how many sources and requesters of untagged work are named.
const maxDriftTop = 5

// noRequester counts untagged requests whose source named no requester.
const noRequester = "not given"

// driftSections describe this week's untagged work, when there is any: how
// much of all the requests received (from chat, the ITSMs and imports) has
// no outcome, and where it comes from: the top sources and requesters.
func (d *digest) driftSections() []commands.Section {
	c := d.cur
	if c.untagged == 0 {
		return nil
	}
	lines := []string{
		strconv.Itoa(c.untagged) + " of " + strconv.Itoa(c.newRequests) + " requests received this week, from every source, " +
			commands.IsAre(c.untagged) + " tied to no outcome.",
		"Top sources: " + topCounts(c.untaggedBySource, maxDriftTop),
	}
	if _, none := c.untaggedByRequester[noRequester]; !none || len(c.untaggedByRequester) > 1 {
		lines = append(lines, "Top requesters: "+topCounts(c.untaggedByRequester, maxDriftTop))
	}
	lines = append(lines, "Tag them with "+commands.Code("/tag <ticket> <outcome-key>")+" or pick their outcomes in the weekly triage.")
	return []commands.Section{{Title: "Drift: untagged work", Text: fitLines(lines, maxSectionBytes)}}
}

// topCounts renders the n largest counts, largest first then by name:
// "jira 4 · servicenow 2 · csv 1", with "and 3 more" when cut.
func topCounts(counts map[string]int, n int) string {
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if counts[names[i]] != counts[names[j]] {
			return counts[names[i]] > counts[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, 0, n+1)
	for i, k := range names {
		if i == n {
			parts = append(parts, "and "+strconv.Itoa(len(names)-n)+" more")
			break
		}
		parts = append(parts, commands.Clip(k, 60)+" "+strconv.Itoa(counts[k]))
	}
	return strings.Join(parts, " · ")
}

// accountabilitySections lists, for each escalation with activity this
// week, who raised it and who acknowledged and resolved it.
func (d *digest) accountabilitySections() []commands.Section {
	var lines []string
	for _, e := range d.escalations {
		if d.eventThisWeek(e) {
			lines = append(lines, d.accountabilityLine(e))
		}
	}
	if len(lines) == 0 {
		lines = []string{"No escalation activity this week."}
	}
	return lineSections("Accountability", lines)
}

// accountabilityLine renders "E-7 INC0012345 (pos): raised by @a 20 Nov
// 10:02, acknowledged by @b after 1h 12m, resolved by @c after 2d 3h".
func (d *digest) accountabilityLine(e *record.Escalation) string {
	var b strings.Builder
	b.WriteString(commands.EscID(e.N) + " " + commands.TicketText(e.Ref, d.in.TicketURL))
	if e.Outcome != "" {
		b.WriteString(" (" + e.Outcome + ")")
	}
	b.WriteString(": raised by " + raisersText(e) + " " + commands.StampText(e.RaisedAt, d.loc, d.now))
	switch {
	case !e.AckAt.IsZero():
		b.WriteString(", acknowledged by " + commands.MentionOr(e.AckBy, "unknown") + " after " + commands.DurationText(e.AckAt.Sub(e.RaisedAt)))
	case e.State == record.StateOpen:
		b.WriteString(", not acknowledged (waiting " + commands.DurationText(d.now.Sub(e.RaisedAt)) + ")")
	}
	if !e.ResolvedAt.IsZero() {
		b.WriteString(", resolved by " + commands.MentionOr(e.ResolvedBy, "unknown") + " after " + commands.DurationText(e.ResolvedAt.Sub(e.RaisedAt)))
		if e.AckAt.IsZero() {
			b.WriteString(" (never acknowledged)")
		}
	}
	return b.String()
}

// lineSections packs lines into sections of at most maxSectionBytes each,
// never cutting a line; sections after the first are titled "(continued)".
func lineSections(title string, lines []string) []commands.Section {
	var out []commands.Section
	var cur []string
	size := 0
	flush := func() {
		t := title
		if len(out) > 0 {
			t += " (continued)"
		}
		out = append(out, commands.Section{Title: t, Text: strings.Join(cur, "\n")})
		cur, size = nil, 0
	}
	for _, l := range lines {
		if len(cur) > 0 && size+1+len(l) > maxSectionBytes {
			flush()
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, l)
		size += len(l)
	}
	if len(cur) > 0 {
		flush()
	}
	return out
}

// fitLines joins lines with newlines within limit bytes, dropping whole
// lines from the end (with a note) if they do not all fit.
func fitLines(lines []string, limit int) string {
	s := strings.Join(lines, "\n")
	if len(s) <= limit {
		return s
	}
	const note = "\n… (cut to fit)"
	size := 0
	for i, l := range lines {
		if size+len(l)+1+len(note) > limit {
			return strings.Join(lines[:i], "\n") + note
		}
		size += len(l) + 1
	}
	return s
}

// sectionBytes is the size a section adds to a message.
func sectionBytes(s commands.Section) int {
	n := len(s.Title) + len(s.Text) + 2
	for _, f := range s.Fields {
		n += len(f.Label) + len(f.Value) + 2
	}
	return n
}

// packMessages packs sections, in order, into thread messages of at most
// maxThreadSections sections and maxThreadBytes bytes each.
func (d *digest) packMessages(sections []commands.Section) []commands.Response {
	var groups [][]commands.Section
	var cur []commands.Section
	size := 0
	for _, s := range sections {
		n := sectionBytes(s)
		if len(cur) > 0 && (len(cur) == maxThreadSections || size+n > maxThreadBytes) {
			groups = append(groups, cur)
			cur, size = nil, 0
		}
		cur = append(cur, s)
		size += n
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	vis := commands.InChannel
	if d.in.Preview {
		vis = commands.Ephemeral
	}
	out := make([]commands.Response, len(groups))
	for i, g := range groups {
		text := "Digest detail · " + d.weekLabel()
		if len(groups) > 1 {
			text += " (" + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(groups)) + ")"
		}
		out[i] = commands.Response{Visibility: vis, Text: text, Sections: g}
	}
	return out
}

// raisersText names who raised an escalation: the first raiser, then
// everyone who joined it ("@ann with @sam and @li"), at most five in all.
func raisersText(e *record.Escalation) string {
	s := commands.MentionOr(e.RaisedBy, "unknown")
	if len(e.Also) == 0 {
		return s
	}
	names := make([]string, 0, 4)
	for i, a := range e.Also {
		if i == 4 {
			names = append(names, strconv.Itoa(len(e.Also)-i)+" more")
			break
		}
		names = append(names, commands.Mention(a.By))
	}
	if len(names) == 1 {
		return s + " with " + names[0]
	}
	return s + " with " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
