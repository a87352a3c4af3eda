package digest

import (
	"sort"
	"strconv"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// This file renders the digest's detail: one section per outcome that has
// something to show, riskiest first, with its escalations and who raised,
// acknowledged and resolved each (accountability folded into the outcome);
// then the outcomes not shown, the starved outcomes (in this one place), the
// escalations on no followed outcome and the untagged work. The detail is
// packed into at most maxThreadMessages messages, each inside platform
// limits; outcomes that do not fit are named in one "and N more outcomes"
// section, each viewable with /digest preview outcome=<key>.

// maxThreadMessages bounds the detail's messages, whatever the workspace's size.
const maxThreadMessages = 3

// detailMessages renders the detail sections and packs them into messages.
func (d *digest) detailMessages() []commands.Response {
	var shown []commands.Section
	var shownKeys []string
	for _, od := range d.outcomes {
		if od.starved() && len(od.open) == 0 && !d.single() {
			continue // listed with the starved outcomes
		}
		shown = append(shown, d.outcomeSection(od))
		shownKeys = append(shownKeys, od.o.Key)
	}
	var tail []commands.Section
	tail = append(tail, d.starvedSections()...)
	tail = append(tail, d.otherEscalationSections()...)
	if !d.single() {
		tail = append(tail, d.driftSections()...)
	}
	sectionsFor := func(k int) []commands.Section {
		out := make([]commands.Section, 0, k+1+len(tail))
		out = append(out, shown[:k]...)
		if k < len(shown) {
			out = append(out, moreOutcomesSection(shownKeys[k:]))
		}
		return append(out, tail...)
	}
	// The most outcome sections, in rank order, that still fit in
	// maxThreadMessages messages; the rest are named in one section.
	k := len(shown)
	if len(packSections(sectionsFor(k))) > maxThreadMessages {
		lo, hi := 0, len(shown) // fits(lo) holds, fits(hi) does not
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			if len(packSections(sectionsFor(mid))) <= maxThreadMessages {
				lo = mid
			} else {
				hi = mid
			}
		}
		k = lo
	}
	return d.threadMessages(packSections(sectionsFor(k)))
}

// moreOutcomesSection names the outcomes left out of the detail.
func moreOutcomesSection(keys []string) commands.Section {
	head := "Each can be seen in full with " + commands.Code("/digest preview outcome=<key>") + ": "
	var b strings.Builder
	b.WriteString(head)
	for i, k := range keys {
		part := commands.Code(k)
		if i > 0 {
			part = " · " + part
		}
		rest := " · and " + strconv.Itoa(len(keys)-i) + " more"
		if textBytes(b.String())+len(part)+len(rest) > maxSectionBytes-200 {
			b.WriteString(rest)
			break
		}
		b.WriteString(part)
	}
	return commands.Section{Title: "And " + strconv.Itoa(len(keys)) + " more " + plural(len(keys), "outcome", "outcomes"), Text: b.String()}
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
	// Each fact once, and only where it says something: the KPI and the
	// owners where work waits on them, no zero counts; the KPI's recorded
	// value and trend (and a stale flag) whenever there is one.
	kpi := d.kpiLines(od)
	waits := len(od.open) > 0 || od.starved()
	if o.KPI != "" && (waits || len(kpi) > 0) {
		lines = append(lines, "KPI: "+commands.Clip(o.KPI, commands.MaxKPIRunes))
	}
	lines = append(lines, kpi...)
	if waits {
		lines = append(lines, "Business owner: "+commands.NameOr(o.Owner, "not set")+" · IT owner: "+commands.NameOr(o.ITOwner, "not set"))
	}
	if open := d.in.Data.OpenTagged[o.Key]; open > 0 || od.newOpen > 0 {
		line := "Open tagged requests: " + strconv.Itoa(open)
		if od.newOpen > 0 {
			line += " (" + strconv.Itoa(od.newOpen) + " new this week)"
		}
		lines = append(lines, line)
	}
	lines = append(lines, d.escalationLines(od)...)
	if len(od.ackTimes) > 0 {
		lines = append(lines, "Median time to acknowledge: "+ackSummary(od))
	}
	if len(lines) == 0 {
		lines = append(lines, "Tagged work, nothing waiting.")
	}
	return commands.Section{Title: title, Text: fitLines(lines, maxSectionBytes)}
}

// escalationLines lists an outcome's open escalations, oldest first, then
// those closed this week, each with who raised, acknowledged and resolved
// it; at most maxListedOpen of them.
func (d *digest) escalationLines(od *outcomeDigest) []string {
	closed := od.closed
	if len(od.open) == 0 && len(closed) == 0 {
		return nil
	}
	var parts []string
	if n := len(od.open); n > 0 {
		p := strconv.Itoa(n) + " open"
		if od.overdue > 0 {
			p += " (" + strconv.Itoa(od.overdue) + " unacknowledged beyond SLA)"
		}
		parts = append(parts, p)
	}
	if n := len(closed); n > 0 {
		parts = append(parts, strconv.Itoa(n)+" closed this week")
	}
	lines := []string{"Escalations: " + strings.Join(parts, " · ")}
	all := append(append([]*record.Escalation{}, od.open...), closed...)
	for i, e := range all {
		if i == maxListedOpen {
			lines = append(lines, "• … and "+strconv.Itoa(len(all)-i)+" more")
			break
		}
		lines = append(lines, "• "+d.escalationLine(e, false))
	}
	return lines
}

// escalationLine renders one escalation with its accountability: "E-7
// INC0012345 raised by Ann 20 Nov 10:02: acknowledged by Bo after 1h 12m,
// open 2d 22h". withOutcome adds the outcome key after the ticket.
func (d *digest) escalationLine(e *record.Escalation, withOutcome bool) string {
	var b strings.Builder
	b.WriteString(commands.EscID(e.N) + " " + commands.TicketText(e.Ref, d.in.TicketURL))
	if withOutcome && e.Outcome != "" {
		b.WriteString(" (" + commands.Code(e.Outcome) + ")")
	}
	b.WriteString(" raised by " + raisersText(e) + " " + commands.StampText(e.RaisedAt, d.loc, d.now) + ": ")
	switch {
	case !e.AckAt.IsZero():
		b.WriteString("acknowledged by " + commands.NameOr(e.AckBy, "unknown") + " after " + commands.DurationText(e.AckAt.Sub(e.RaisedAt)))
	case e.State == record.StateOpen:
		b.WriteString("unacknowledged for " + commands.DurationText(d.now.Sub(e.RaisedAt)))
		if d.overdueAt(e, d.now) {
			b.WriteString(", beyond its " + commands.DurationText(d.slaOf(e.Outcome)) + " SLA")
		}
	}
	switch {
	case e.State != record.StateResolved:
		if !e.AckAt.IsZero() {
			b.WriteString(", open " + commands.DurationText(d.now.Sub(e.RaisedAt)))
		}
		if d.now.Before(e.SnoozedUntil) {
			b.WriteString(", snoozed until " + commands.StampText(e.SnoozedUntil, d.loc, d.now))
		}
	case e.Withdrawn:
		b.WriteString(sep(e) + "withdrawn by " + commands.NameOr(e.ResolvedBy, "unknown") + " after " + commands.DurationText(e.ResolvedAt.Sub(e.RaisedAt)))
	default:
		b.WriteString(sep(e) + "resolved by " + commands.NameOr(e.ResolvedBy, "unknown") + " after " + commands.DurationText(e.ResolvedAt.Sub(e.RaisedAt)))
		if e.AckAt.IsZero() {
			b.WriteString(" (never acknowledged)")
		}
	}
	return b.String()
}

// sep separates the closing of an escalation from its acknowledgement.
func sep(e *record.Escalation) string {
	if e.AckAt.IsZero() {
		return ""
	}
	return ", "
}

// maxStarvedLines bounds the starved outcomes named one per line.
const maxStarvedLines = 15

// starvedSections list, in one place, the outcomes with no IT activity
// this week and nothing open, with their owners.
func (d *digest) starvedSections() []commands.Section {
	var starved []*outcomeDigest
	for _, od := range d.outcomes {
		if od.starved() && len(od.open) == 0 && !d.single() {
			starved = append(starved, od)
		}
	}
	if len(starved) == 0 {
		return nil
	}
	sort.SliceStable(starved, func(i, j int) bool { return starved[i].o.Key < starved[j].o.Key })
	lines := []string{"No tags and no escalation events this week:"}
	for i, od := range starved {
		if i == maxStarvedLines {
			lines = append(lines, moreOutcomesLine(starved[i:]))
			break
		}
		line := "• " + commands.Clip(od.o.Title, 60) + " (" + od.o.Key + ") · IT owner " + commands.NameOr(od.o.ITOwner, "not set") +
			" · business owner " + commands.NameOr(od.o.Owner, "not set")
		if open := d.in.Data.OpenTagged[od.o.Key]; open > 0 {
			line += " · " + strconv.Itoa(open) + " open tagged " + plural(open, "request", "requests")
		}
		lines = append(lines, line)
	}
	return []commands.Section{{Title: "Starved outcomes", Text: fitLines(lines, maxSectionBytes)}}
}

// moreOutcomesLine names the keys of outcomes not listed one per line.
func moreOutcomesLine(rest []*outcomeDigest) string {
	keys := make([]string, len(rest))
	for i, od := range rest {
		keys[i] = od.o.Key
	}
	return "• and " + strconv.Itoa(len(rest)) + " more: " + commands.Clip(strings.Join(keys, ", "), 600)
}

// otherEscalationSections list the escalations in scope on no outcome the
// digest shows (on untagged work, or on an outcome since deleted) that are
// open or had activity this week.
func (d *digest) otherEscalationSections() []commands.Section {
	var lines []string
	for _, e := range d.escalations {
		if d.byKey[e.Outcome] != nil {
			continue
		}
		if e.State != record.StateResolved || d.eventThisWeek(e) {
			lines = append(lines, "• "+d.escalationLine(e, true))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return lineSections("Escalations on no followed outcome", lines)
}

// textBytes is the size s takes once rendered: its bytes, with each name
// span counted at the widest display name a renderer shows.
func textBytes(s string) int {
	return len(s) + commands.NameSpans(s)*commands.MaxNameRunes
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
		if len(cur) > 0 && size+1+textBytes(l) > maxSectionBytes {
			flush()
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, l)
		size += textBytes(l)
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
	if textBytes(s) <= limit {
		return s
	}
	const note = "\n… (cut to fit)"
	size := 0
	for i, l := range lines {
		if size+textBytes(l)+1+len(note) > limit {
			return strings.Join(lines[:i], "\n") + note
		}
		size += textBytes(l) + 1
	}
	return s
}

// sectionBytes is the size a section adds to a message.
func sectionBytes(s commands.Section) int {
	n := len(s.Title) + textBytes(s.Text) + 2
	for _, f := range s.Fields {
		n += len(f.Label) + textBytes(f.Value) + 2
	}
	return n
}

// packSections packs sections, in order, into groups (thread messages) of
// at most maxThreadSections sections and maxThreadBytes bytes each.
func packSections(sections []commands.Section) [][]commands.Section {
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
	return groups
}

// threadMessages makes the packed groups thread messages.
func (d *digest) threadMessages(groups [][]commands.Section) []commands.Response {
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
// everyone who joined it ("Ann with Sam and Li"), at most five in all.
func raisersText(e *record.Escalation) string {
	s := commands.NameOr(e.RaisedBy, "unknown")
	if len(e.Also) == 0 {
		return s
	}
	names := make([]string, 0, 4)
	for i, a := range e.Also {
		if i == 4 {
			names = append(names, strconv.Itoa(len(e.Also)-i)+" more")
			break
		}
		names = append(names, commands.Name(a.By))
	}
	if len(names) == 1 {
		return s + " with " + names[0]
	}
	return s + " with " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// ackSummary renders an outcome's median time to acknowledge this week.
func ackSummary(od *outcomeDigest) string {
	m, ok := medianDuration(od.ackTimes)
	if !ok {
		return "no acknowledgements this week"
	}
	n := len(od.ackTimes)
	if n == 1 {
		return od.acks.withWall(commands.DurationText(m)+" (1 acknowledgement)", m)
	}
	return od.acks.withWall(commands.DurationText(m)+" ("+strconv.Itoa(n)+" acknowledgements)", m)
}
