package digest

import (
	"sort"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Limits that keep every digest message inside platform limits (Slack: 50
// blocks and 3,000 characters per section; Teams: 28 KB per card). Sizes are
// counted in bytes, which is never less than characters.
const (
	// maxSectionBytes bounds one section's text.
	maxSectionBytes = 2700
	// maxThreadSections bounds the sections of one detail message: even a
	// renderer that spends a heading block and a body block per section stays
	// under Slack's 50 blocks.
	maxThreadSections = 24
	// maxThreadBytes bounds the text of one detail message.
	maxThreadBytes = 9500
	// maxListedOpen bounds the open escalations listed per outcome.
	maxListedOpen = 10
)

// Input is everything the weekly digest of one channel depends on.
type Input struct {
	// Data covers Previous.From up to Now: this week and the previous one.
	Data record.DigestData
	// Now is the run time, in the channel's time zone: its Location is used
	// for display (and, without Week, for the calendar days that bound the
	// weeks).
	Now time.Time
	// Week is the window counted, [Week.From, Now) (Week.To is Now), and
	// Previous the window it is compared with. Unset, they are the seven
	// calendar days before Now and the seven before those.
	Week, Previous Window
	// SoFar marks a Week that a preview cut short at Now, between two
	// scheduled runs; Previous is then as long as Week.
	SoFar bool
	// Follow lists the outcome keys the channel follows; empty means all.
	Follow []string
	// DefaultSLA is the acknowledgement SLA of outcomes without their own.
	DefaultSLA time.Duration
	// Hours returns the business hours an outcome's SLA counts in (nil:
	// round the clock); Hours nil runs every outcome round the clock.
	Hours func(record.Outcome) *commands.BusinessHours
	// Trend holds the weekly aggregates of the trends, oldest first
	// (TrendWeeks of them, see trends.go); empty shows no trends.
	Trend []record.TrendWeek
	// TicketURL links a ticket reference; it may be nil or return "".
	TicketURL func(ref string) string
	// KPIs are the outcomes' own numbers and their owners' confirmations,
	// by outcome key (see kpi.go); nil when not read, and then the digest
	// shows no KPI value, trend or stale flag.
	KPIs map[string]record.OutcomeKPI
	// Late marks a catch-up post after the bot was down at the scheduled
	// time, Manual a post asked for by hand, Preview an on-demand preview
	// shown only to the caller.
	Late, Manual, Preview bool
	// Outcome, when set, limits the digest to that one outcome (a preview
	// of one outcome, /digest preview outcome=<key>): its numbers in the
	// lead and its whole section in the detail, without the workspace-wide
	// drift. It overrides Follow.
	Outcome string
}

// Build renders the weekly digest (the digest's one entry point): a short
// lead message with up to three items that most need leadership, then the
// headline numbers and their change against the previous week said as
// better or worse; and the per-outcome detail in Thread, at most three
// messages that each stay inside platform limits (outcomes beyond them are
// named in an "and N more outcomes" section). People are shown by name
// (commands.Name), never mentioned. A quiet week yields only a short "no
// change" lead.
//
// "This week" is Input.Week and the previous week Input.Previous (the
// scheduler passes the windows between its runs, so consecutive digests
// tile without gap or overlap across daylight-saving changes); the context
// line names the window exactly.
// The digest covers the followed outcomes (all when Follow is empty);
// archived outcomes only when they had activity this week or still have
// open escalations. When following all, escalations and tags on outcomes not
// in Data.Outcomes count in the headline too. Drift is workspace-wide:
// untagged work belongs to no outcome a channel could follow.
//
// Build is a pure function of its input: the same input renders the
// same Response, byte for byte.
func Build(in Input) commands.Response {
	d := newDigest(in)
	lead := d.withTrends(d.leadMessage())
	if d.quiet() {
		return lead
	}
	lead.Thread = d.detailMessages()
	return lead
}

// digest is one Build run: the input indexed and the numbers computed.
type digest struct {
	in                  Input
	loc                 *time.Location
	now, week, prevWeek time.Time // week and prevWeek are the windows' starts
	prevEnd             time.Time // the end of the previous window
	followAll           bool
	known               map[string]bool           // every outcome key in Data
	byKey               map[string]*outcomeDigest // included outcomes
	outcomes            []*outcomeDigest          // included outcomes, riskiest first
	escalations         []*record.Escalation      // in scope, by number
	cur, prev           weekStats
	openNow             int // open escalations in scope
}

// weekStats are the headline numbers of one week.
type weekStats struct {
	tagged, raised, acked, resolved, overdue int
	withdrawn, reopened                      int
	ackTimes                                 []time.Duration
	newRequests, untagged                    int
	// untaggedBy counts the week's untagged requests by source and by
	// requester, for the drift section.
	untaggedBySource, untaggedByRequester map[string]int
	// acks keeps ackTimes as wall-clock too (see hours.go).
	acks ackWaits
}

// outcomeDigest gathers what the digest shows about one outcome.
type outcomeDigest struct {
	o             record.Outcome
	sla           time.Duration
	open          []*record.Escalation // not resolved, oldest first
	closed        []*record.Escalation // resolved this week, oldest first
	oldestUnacked *record.Escalation
	overdue       int // open, unacknowledged and beyond SLA now
	ackTimes      []time.Duration
	tags, events  int // tag events and escalation events this week
	newOpen       int // open requests first seen this week
	// acks keeps ackTimes as wall-clock too (see hours.go).
	acks ackWaits
}

// starved reports whether the outcome got no IT activity this week.
func (od *outcomeDigest) starved() bool { return od.tags == 0 && od.events == 0 }

func newDigest(in Input) *digest {
	d := &digest{
		in:       in,
		loc:      in.Now.Location(),
		now:      in.Now,
		week:     in.Now.AddDate(0, 0, -7),
		prevWeek: in.Now.AddDate(0, 0, -14),
		known:    make(map[string]bool, len(in.Data.Outcomes)),
		byKey:    make(map[string]*outcomeDigest),
	}
	d.windows()
	if in.Outcome != "" {
		d.in.Follow = []string{in.Outcome}
	}
	d.followAll = len(d.in.Follow) == 0
	escByOutcome := d.indexEscalations()
	tagsByOutcome := d.countTags()
	d.selectOutcomes(escByOutcome, tagsByOutcome)
	d.scopeEscalations()
	for _, od := range d.outcomes {
		d.fillOutcome(od, escByOutcome[od.o.Key])
	}
	d.countNewOpen()
	d.rankOutcomes()
	d.cur = d.stats(d.week, d.now)
	d.prev = d.stats(d.prevWeek, d.prevEnd)
	return d
}

// indexEscalations de-duplicates Data.Escalations by number, sorts them and
// groups them by outcome.
func (d *digest) indexEscalations() map[string][]*record.Escalation {
	all := make([]*record.Escalation, 0, len(d.in.Data.Escalations))
	seen := make(map[int64]bool, len(d.in.Data.Escalations))
	for i := range d.in.Data.Escalations {
		e := &d.in.Data.Escalations[i]
		if !seen[e.N] {
			seen[e.N] = true
			all = append(all, e)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].N < all[j].N })
	d.escalations = all
	by := make(map[string][]*record.Escalation)
	for _, e := range all {
		by[e.Outcome] = append(by[e.Outcome], e)
	}
	return by
}

// countTags counts this week's tag events per outcome tagged to.
func (d *digest) countTags() map[string]int {
	by := make(map[string]int)
	for _, t := range d.in.Data.Tags {
		if t.Outcome != "" && inWindow(t.At, d.week, d.now) {
			by[t.Outcome]++
		}
	}
	return by
}

// selectOutcomes picks the outcomes the digest covers, sorted by key.
func (d *digest) selectOutcomes(esc map[string][]*record.Escalation, tags map[string]int) {
	follow := make(map[string]bool, len(d.in.Follow))
	for _, k := range d.in.Follow {
		follow[k] = true
	}
	for _, o := range d.in.Data.Outcomes {
		d.known[o.Key] = true
		if d.byKey[o.Key] != nil || (!d.followAll && !follow[o.Key]) {
			continue
		}
		if o.Status == record.OutcomeArchived && tags[o.Key] == 0 && !d.anyActive(esc[o.Key]) && !d.single() {
			continue
		}
		od := &outcomeDigest{o: o, sla: commands.EscalationSLA(o, d.in.DefaultSLA), tags: tags[o.Key]}
		d.byKey[o.Key] = od
		d.outcomes = append(d.outcomes, od)
	}
}

// single reports whether the digest shows one outcome only.
func (d *digest) single() bool { return d.in.Outcome != "" }

// anyActive reports whether any of es had an event this week or is open.
func (d *digest) anyActive(es []*record.Escalation) bool {
	for _, e := range es {
		if d.eventThisWeek(e) || e.State != record.StateResolved {
			return true
		}
	}
	return false
}

// inScope reports whether activity on outcome key counts in this digest.
func (d *digest) inScope(key string) bool {
	return d.byKey[key] != nil || (d.followAll && !d.known[key])
}

// scopeEscalations keeps only the escalations in scope.
func (d *digest) scopeEscalations() {
	kept := make([]*record.Escalation, 0, len(d.escalations))
	for _, e := range d.escalations {
		if d.inScope(e.Outcome) {
			kept = append(kept, e)
			if e.State != record.StateResolved {
				d.openNow++
			}
		}
	}
	d.escalations = kept
}

// fillOutcome computes one outcome's numbers from its escalations.
func (d *digest) fillOutcome(od *outcomeDigest, es []*record.Escalation) {
	for _, e := range es {
		if d.eventThisWeek(e) {
			od.events++
		}
		if !e.AckAt.IsZero() && inWindow(e.AckAt, d.week, d.now) {
			od.ackTimes = append(od.ackTimes, od.acks.add(d.hoursOf(e.Outcome), e))
		}
		if e.State == record.StateResolved {
			if inWindow(e.ResolvedAt, d.week, d.now) {
				od.closed = append(od.closed, e)
			}
			continue
		}
		od.open = append(od.open, e)
		if e.State == record.StateOpen {
			if d.overdueAt(e, d.now) {
				od.overdue++
			}
			if od.oldestUnacked == nil || raisedBefore(e, od.oldestUnacked) {
				od.oldestUnacked = e
			}
		}
	}
	sort.SliceStable(od.open, func(i, j int) bool { return raisedBefore(od.open[i], od.open[j]) })
	sort.SliceStable(od.closed, func(i, j int) bool { return raisedBefore(od.closed[i], od.closed[j]) })
}

// countNewOpen counts, per included outcome, the open requests first seen
// this week.
func (d *digest) countNewOpen() {
	for _, r := range d.in.Data.NewRequests {
		if od := d.byKey[r.Outcome]; od != nil && r.Status != record.RequestClosed && inWindow(r.Received(), d.week, d.now) {
			od.newOpen++
		}
	}
}

// rankOutcomes orders outcomes riskiest first: most open unacknowledged
// beyond SLA, then most open escalations, then oldest open escalation, then key.
func (d *digest) rankOutcomes() {
	sort.SliceStable(d.outcomes, func(i, j int) bool {
		a, b := d.outcomes[i], d.outcomes[j]
		if a.overdue != b.overdue {
			return a.overdue > b.overdue
		}
		if len(a.open) != len(b.open) {
			return len(a.open) > len(b.open)
		}
		if len(a.open) > 0 && !a.open[0].RaisedAt.Equal(b.open[0].RaisedAt) {
			return a.open[0].RaisedAt.Before(b.open[0].RaisedAt)
		}
		return a.o.Key < b.o.Key
	})
}

// stats computes the headline numbers of the window [from, to).
func (d *digest) stats(from, to time.Time) weekStats {
	var s weekStats
	// Requests tagged: distinct requests whose last tag change in the
	// window left them on an outcome in scope. A request re-tagged during
	// the week counts once; one tagged and then untagged is drift, not
	// tagged.
	last := make(map[string]record.TagEvent)
	for _, t := range d.in.Data.Tags {
		if inWindow(t.At, from, to) {
			if prev, ok := last[t.Ref]; !ok || t.At.After(prev.At) || (t.At.Equal(prev.At) && t.Seq > prev.Seq) {
				last[t.Ref] = t
			}
		}
	}
	for _, t := range last {
		if t.Outcome != "" && d.inScope(t.Outcome) {
			s.tagged++
		}
	}
	for _, e := range d.escalations {
		if inWindow(e.RaisedAt, from, to) {
			s.raised++
		}
		if !e.AckAt.IsZero() && inWindow(e.AckAt, from, to) {
			s.acked++
			s.ackTimes = append(s.ackTimes, s.acks.add(d.hoursOf(e.Outcome), e))
		}
		if !e.ResolvedAt.IsZero() && inWindow(e.ResolvedAt, from, to) {
			if e.Withdrawn {
				s.withdrawn++
			} else {
				s.resolved++
			}
		}
		if !e.ReopenedAt.IsZero() && inWindow(e.ReopenedAt, from, to) {
			s.reopened++
		}
		if d.overdueAt(e, to) {
			s.overdue++
		}
	}
	s.untaggedBySource, s.untaggedByRequester = map[string]int{}, map[string]int{}
	for _, r := range d.in.Data.NewRequests {
		if inWindow(r.Received(), from, to) {
			s.newRequests++
			if r.Outcome == "" {
				s.untagged++
				s.untaggedBySource[orText(r.Source, "unknown")]++
				s.untaggedByRequester[orText(r.Requester, noRequester)]++
			}
		}
	}
	return s
}

// orText returns s, or alt when s is empty.
func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// overdueAt reports whether e was open, unacknowledged and beyond its SLA
// at t. Now is read from the state; earlier instants from the timestamps.
func (d *digest) overdueAt(e *record.Escalation, t time.Time) bool {
	if !d.hoursOf(e.Outcome).Add(e.RaisedAt, d.slaOf(e.Outcome)).Before(t) {
		return false
	}
	if !t.Before(d.now) {
		return e.State == record.StateOpen
	}
	return !doneBy(e.AckAt, t) && !doneBy(e.ResolvedAt, t)
}

// slaOf returns the acknowledgement SLA of escalations on outcome key.
func (d *digest) slaOf(key string) time.Duration {
	if od := d.byKey[key]; od != nil {
		return od.sla
	}
	return d.in.DefaultSLA
}

// eventThisWeek reports whether e was raised, acknowledged or resolved this week.
func (d *digest) eventThisWeek(e *record.Escalation) bool {
	return inWindow(e.RaisedAt, d.week, d.now) ||
		(!e.AckAt.IsZero() && inWindow(e.AckAt, d.week, d.now)) ||
		(!e.ResolvedAt.IsZero() && inWindow(e.ResolvedAt, d.week, d.now))
}

// quiet reports whether nothing happened this week and nothing is open.
func (d *digest) quiet() bool {
	c := d.cur
	return c.tagged == 0 && c.raised == 0 && c.acked == 0 && c.resolved == 0 &&
		(c.newRequests == 0 || d.single()) && d.openNow == 0
}

// inWindow reports whether t is in [from, to).
func inWindow(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// doneBy reports whether the (possibly zero) instant at is set and not after t.
func doneBy(at, t time.Time) bool { return !at.IsZero() && !at.After(t) }

// raisedBefore orders escalations oldest first, then by number.
func raisedBefore(a, b *record.Escalation) bool {
	if !a.RaisedAt.Equal(b.RaisedAt) {
		return a.RaisedAt.Before(b.RaisedAt)
	}
	return a.N < b.N
}
