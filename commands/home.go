package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// MaxHomeItems bounds each list of a home view; the view says how many
// more there are and which command lists them all. Sized so a full view
// fits Slack's 100 blocks: two of heading, the queue's 15 entries of two
// blocks and its "more" line, then two lists of 25 and their "more" lines.
const MaxHomeItems = 25

// Home builds user's home view (Slack's App Home tab): the escalations
// they raised that are still open and the outcomes they own (as business
// or IT owner), as of now. Adapters only render it.
func (c *Core) Home(ctx context.Context, ws, user string, now time.Time) (Response, error) {
	open, err := c.store.ListEscalations(ctx, ws, record.EscalationFilter{OpenOnly: true, Limit: homeRead})
	if err != nil && !errors.Is(err, record.ErrNotFound) {
		return Response{}, fmt.Errorf("home of %s: %w", user, err)
	}
	all, err := c.store.ListOutcomes(ctx, ws)
	if err != nil && !errors.Is(err, record.ErrNotFound) {
		return Response{}, fmt.Errorf("home of %s: %w", user, err)
	}
	resp := Response{Title: "outcomebot", Text: "IT work tied to business outcomes. Your queue, what you raised and the outcomes you own, as of " +
		Time(now, TimeDateTime, c.cfg.DefaultTZ) + "."}
	for _, part := range c.homeParts() {
		secs, err := part(ctx, ws, user, now)
		if err != nil {
			return Response{}, fmt.Errorf("home of %s: %w", user, err)
		}
		resp.Sections = append(resp.Sections, secs...)
	}
	var lines []string
	openBy := map[string]int{}
	for _, e := range open {
		openBy[e.Outcome]++
		if e.RaisedBy == user || e.RaisedByToo(user) {
			lines = append(lines, homeEscalationLine(e, now))
		}
	}
	resp.Sections = append(resp.Sections, homeList("Open escalations you raised", lines,
		"None. Raise one with "+Code("/escalate <ticket> <reason>")+".", "/escalate list raised")...)
	lines = nil
	for _, o := range all {
		if o.Owner == user || o.ITOwner == user {
			lines = append(lines, homeOutcomeLine(o, user, openBy[o.Key]))
		}
	}
	resp.Sections = append(resp.Sections, homeList("Outcomes you own", lines, "None.", "/outcome list")...)
	return resp, nil
}

// homeRead is the most open escalations a home view reads.
const homeRead = 1000

// homeList is one list of a home view: a titled section per item (at most
// MaxHomeItems, then how many more and the command that lists them), or
// none when empty.
func homeList(title string, lines []string, none, more string) []Section {
	if len(lines) == 0 {
		return []Section{{Title: title, Text: none}}
	}
	var out []Section
	for i, l := range lines {
		if i == MaxHomeItems {
			out = append(out, Section{Text: fmt.Sprintf("…and %d more: %s", len(lines)-i, Code(more))})
			break
		}
		s := Section{Text: l}
		if i == 0 {
			s.Title = title
		}
		out = append(out, s)
	}
	return out
}

// homeEscalationLine describes one escalation of a home view.
func homeEscalationLine(e record.Escalation, now time.Time) string {
	s := Bold(EscID(e.N)) + " " + Code(e.Ref)
	if e.Outcome != "" {
		s += " → " + Code(e.Outcome)
	}
	s += " · " + e.State
	if !e.RaisedAt.IsZero() {
		s += ", raised " + DurationText(now.Sub(e.RaisedAt)) + " ago"
	}
	if e.AckBy != "" {
		s += ", acknowledged by " + Mention(e.AckBy)
	}
	if e.Reason != "" {
		s += "\n" + e.Reason
	}
	return s
}

// homeOutcomeLine describes one outcome user owns.
// open is how many of its escalations are open.
func homeOutcomeLine(o record.Outcome, user string, open int) string {
	role := "business owner"
	if o.ITOwner == user {
		role = "IT owner"
		if o.Owner == user {
			role = "business and IT owner"
		}
	}
	s := Code(o.Key) + " " + Bold(o.Title) + " · " + role
	if o.KPI != "" {
		s += "\nKPI: " + o.KPI
	}
	if o.Status == record.OutcomeArchived {
		s += " (archived)"
	}
	switch open {
	case 0:
		s += "\nNo open escalations."
	case 1:
		s += "\n1 open escalation: " + Code("/escalate list open outcome="+o.Key)
	default:
		s += fmt.Sprintf("\n%d open escalations: %s", open, Code("/escalate list open outcome="+o.Key))
	}
	return s
}
