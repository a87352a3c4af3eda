package escalation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

const usageEscalate = "/escalate [ticket] [outcome=<key>] <reason…>"

// escalate raises blocked work: /escalate [ticket] [outcome=<key>]
// <reason…>. The ticket is optional (a first word that is no ticket starts
// the reason); the outcome routes it, from outcome= or else the ticket's
// tag; when neither says, the caller is asked which outcome, with the
// active ones named.
func (c *Escalations) escalate(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	example := commands.Code("/escalate INC0012345 card payments failing in 3 stores since 9am")
	if err := commands.OnlyOptions(args, usageEscalate, "outcome"); err != nil {
		return commands.Response{}, err
	}
	first, ok := args.Word(0)
	if !ok {
		// No arguments: the form, where the platform has one.
		return c.openForm(ctx, req, nil)
	}
	ref, link, reasonFrom := "", "", 0
	if first.Kind == commands.TokenWord {
		r, isTicket, err := c.core.Ticket(first.Text)
		if err != nil {
			return commands.Response{}, err
		}
		switch {
		case isTicket:
			ref, reasonFrom = r, 1
		case commands.IsHTTPURL(r):
			// A ticket's address that names no number (a ServiceNow
			// sys_id link): kept as the escalation's link, not its ticket.
			link, reasonFrom = r, 1
		}
	}
	key, reason := outcomeAndReason(args, reasonFrom)
	if reason == "" {
		if args.Rest(reasonFrom) != "" {
			return commands.Response{}, commands.Userf("The reason is blank: say what is blocked, e.g. %s. Nothing was raised.", example)
		}
		return commands.Response{}, commands.Userf("Usage: %s (say what is blocked)\nExample: %s", commands.Code(usageEscalate), example)
	}
	if ref == "" && key == "" {
		return commands.Response{}, c.askOutcome(ctx, req, "", reason)
	}
	return c.raise(ctx, req, record.Escalation{Ref: ref, Outcome: key, Reason: reason, Link: link})
}

// raise raises e (its Ref, Outcome, Reason and message fields set) for req's
// caller in req's channel: one round trip, in which the store routes by the
// outcome (asked, or the request's) and raises, or joins the request's
// open escalation. /escalate and the form both end here.
func (c *Escalations) raise(ctx context.Context, req commands.Request, e record.Escalation) (commands.Response, error) {
	ref, key, reason := e.Ref, e.Outcome, e.Reason
	e.RaisedBy, e.RaisedIn, e.RaisedAt = req.User, req.Channel, req.Time
	e, o, raise, err := c.store.EscalateRequest(ctx, req.Workspace, e)
	switch {
	case errors.Is(err, record.ErrUntagged):
		return commands.Response{}, c.askOutcome(ctx, req, ref, reason)
	case errors.Is(err, record.ErrArchived) && key != "":
		return commands.Response{}, badOutcome{commands.Userf("%s was archived meanwhile: pick another outcome, or ask an admin to restore it.", commands.Code(key))}
	case errors.Is(err, record.ErrArchived):
		return commands.Response{}, commands.Userf("%s is tagged to %s, which is archived. Re-tag it to an active outcome with %s, or name one with %s.", c.core.TicketText(ref), commands.Code(o.Key), commands.Code("/tag "+ref+" <outcome-key>"), commands.Code("outcome=<key>"))
	case errors.Is(err, record.ErrNotFound) && key != "":
		return commands.Response{}, badOutcome{c.core.UnknownOutcome(ctx, req.Workspace, key)}
	case errors.Is(err, record.ErrNotFound):
		return commands.Response{}, commands.Userf("%s is tagged to an outcome that no longer exists. Re-tag it with %s, then escalate again.", c.core.TicketText(ref), commands.Code("/tag "+ref+" <outcome-key>"))
	case err != nil:
		return commands.Response{}, err
	}
	if raise != record.Raised {
		return c.escalationJoined(req, e, o, raise == record.Joined), nil
	}
	c.core.ObserveEscalation(commands.EscalationRaised, e)
	return c.escalationRaised(req, e, o), nil
}

// badOutcome is a refusal of the outcome asked for (unknown, archived): the
// form shows it on its outcome field.
type badOutcome struct{ error }

func (b badOutcome) Unwrap() error { return b.error }

// escalationJoined answers someone who escalated a request that already has
// an open escalation: nothing new is raised; they are told where it stands
// and that they will hear when it moves. The first time they join, the card
// is updated in place to show them waiting, and their reason goes to its
// thread for IT to read.
func (c *Escalations) escalationJoined(req commands.Request, e record.Escalation, o record.Outcome, justJoined bool) commands.Response {
	state := "not acknowledged"
	if e.State == record.StateAcknowledged {
		state = "acknowledged by " + commands.Mention(e.AckBy)
	}
	resp := commands.Response{Text: fmt.Sprintf("%s is already escalated as %s, open %s, %s. You'll be told when it moves.",
		c.core.TicketText(e.Ref), commands.Bold(commands.EscID(e.N)), commands.DurationText(req.Time.Sub(e.RaisedAt)), state)}
	mine, ok := joinOf(e, req.User)
	if !justJoined || !ok || e.CardID == "" {
		return resp
	}
	if o.Key == "" {
		o = record.Outcome{Key: e.Outcome, Title: e.Outcome}
	}
	resp.Text += " Your reason is added to it."
	c.touched(req.Workspace, e, o)
	to := commands.Destination{Workspace: req.Workspace, Channel: e.CardChannel}
	note := commands.Response{Visibility: commands.InChannel, Text: fmt.Sprintf("Also raised by %s in %s: %s",
		commands.Mention(mine.By), commands.ChannelLink(mine.In), mine.Reason)}
	card := c.Card(e, o, req.Time)
	update := to
	update.Update = e.CardID
	thread := to
	thread.Thread = e.CardID
	resp.Outgoing = []commands.Outgoing{{To: update, Message: card}, {To: thread, Message: note}}
	return resp
}

// joinOf returns user's entry in e.Also, if they have one (the list is
// capped, and an original raiser has none).
func joinOf(e record.Escalation, user string) (record.Raiser, bool) {
	for _, a := range e.Also {
		if a.By == user {
			return a, true
		}
	}
	return record.Raiser{}, false
}

// outcomeAndReason reads the outcome asked for (outcome=<key>, before the
// first word or leading the free text) and the reason: the free text from
// positional word i, without that option.
func outcomeAndReason(args commands.Args, i int) (key, reason string) {
	if t, ok := args.Option("outcome"); ok {
		key = strings.ToLower(t.Text)
	}
	reason = commands.NoteText(args, i)
	if head, rest, found := strings.Cut(reason, " "); key == "" && hasPrefixFold(head, "outcome=") {
		key, reason = strings.ToLower(head[len("outcome="):]), strings.TrimSpace(rest)
		if !found {
			reason = ""
		}
	}
	return key, reason
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// askOutcome asks which outcome the blocked work is for, naming the active
// outcomes, when neither outcome= nor the ticket's tag says: nothing is
// raised until the caller answers.
func (c *Escalations) askOutcome(ctx context.Context, req commands.Request, ref, reason string) error {
	keys, err := c.core.ActiveOutcomeKeys(ctx, req.Workspace)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return commands.Userf("There are no outcomes to escalate to yet. An admin adds one with %s.", commands.Code(commands.UsageOutcomeAdd))
	}
	line := "/escalate "
	if ref != "" {
		line += ref + " "
	}
	line += "outcome=" + keys[0] + " " + commands.Clip(reason, 60)
	lead := "Which outcome is this blocking?"
	if ref != "" {
		lead = fmt.Sprintf("%s is not tagged to an outcome, so I do not know who to route it to. Which outcome is it blocking?", c.core.TicketText(ref))
	}
	return commands.Userf("%s Add %s, e.g. %s. Active outcomes: %s. Nothing was raised yet.",
		lead, commands.Code("outcome=<key>"), commands.Code(line), commands.Code(strings.Join(keys, ", ")))
}

// escalationRaised answers the raiser and queues the announcement and the card.
func (c *Escalations) escalationRaised(req commands.Request, e record.Escalation, o record.Outcome) commands.Response {
	c.touched(req.Workspace, e, o)
	itChannel := o.ITChannel
	if itChannel == "" {
		itChannel = req.Channel
	}
	sla := commands.EscalationSLA(o, c.cfg.AckSLA)
	within := commands.DurationText(sla)
	if h := c.core.HoursFor(o); h != nil {
		within += " of business hours (by " + h.Add(e.ClockFrom(), sla).In(c.cfg.DefaultTZ).Format("Mon 2 Jan 15:04 MST") + ")"
	}
	announce := commands.Response{Visibility: commands.InChannel, Text: fmt.Sprintf("%s escalated %s (%s): %s\n%s is routed to %s in %s; acknowledgement expected within %s.",
		commands.Mention(e.RaisedBy), c.core.TicketText(e.Ref), commands.Code(o.Key), e.Reason, commands.Bold(commands.EscID(e.N)), ownerText(o), commands.ChannelLink(itChannel), within)}
	resp := commands.Response{Text: fmt.Sprintf("%s raised for %s → %s. I will tell you here when IT acknowledges it.", commands.Bold(commands.EscID(e.N)), c.core.TicketText(e.Ref), commands.Code(o.Key))}
	resp.Outgoing = []commands.Outgoing{
		{To: commands.Destination{Workspace: req.Workspace, Channel: req.Channel}, Message: announce, Track: &commands.Track{Escalation: e.N, Kind: commands.TrackAnnouncement}, Person: e.RaisedBy},
		{To: commands.Destination{Workspace: req.Workspace, Channel: itChannel}, Message: c.Card(e, o, req.Time), Track: &commands.Track{Escalation: e.N, Kind: commands.TrackCard}},
	}
	return resp
}

func ownerText(o record.Outcome) string {
	if o.ITOwner == "" {
		return "the IT team (no IT owner set)"
	}
	return commands.Mention(o.ITOwner)
}

// Card renders the card for an escalation in its current state as of now:
// open with Acknowledge and Resolve buttons, acknowledged with Resolve, or
// resolved. See RenderCard.
func (c *Escalations) Card(e record.Escalation, o record.Outcome, now time.Time) commands.Response {
	return RenderCard(c.core, e, o, now)
}

// RenderCard renders an escalation's card as of now: who raised it (and
// who else waits), the IT owner, when it was raised, when acknowledgement
// is due ("overdue by 2h" once past), its state and the latest note. The
// ladder re-renders it in place when a reminder goes.
func RenderCard(core *commands.Core, e record.Escalation, o record.Outcome, now time.Time) commands.Response {
	cfg := core.Config()
	when := func(t time.Time) string { return commands.Time(t, commands.TimeDateTime, cfg.DefaultTZ) }
	fields := []commands.Field{
		{Label: "IT owner", Value: ownerText(o)},
	}
	if e.Assignee != "" {
		fields = append(fields, commands.Field{Label: "Assigned to", Value: commands.Mention(e.Assignee)})
	}
	fields = append(fields, []commands.Field{
		{Label: "Raised", Value: when(e.RaisedAt) + " in " + commands.ChannelLink(e.RaisedIn)},
	}...)
	if e.State == record.StateOpen {
		sla, hours := commands.EscalationSLA(o, cfg.AckSLA), core.HoursFor(o)
		due := hours.Add(e.ClockFrom(), sla)
		dueText := "by " + when(due) + commands.SLAText(sla, hours)
		if !now.Before(due) {
			over := "Overdue"
			if d := hours.Between(due, now); d >= time.Minute {
				over += " by " + commands.DurationText(d)
			}
			dueText = commands.Bold(over) + " (was due " + when(due) + ")"
		}
		fields = append(fields, commands.Field{Label: "Acknowledge", Value: dueText})
	}
	fields = append(fields, commands.Field{Label: "Status", Value: stateText(e, when)})
	if e.State != record.StateResolved && now.Before(e.SnoozedUntil) {
		fields = append(fields, commands.Field{Label: "Snoozed", Value: "until " + when(e.SnoozedUntil) + " by " + commands.Mention(e.SnoozedBy)})
	}
	if e.Link != "" {
		fields = append(fields, commands.Field{Label: "Link", Value: commands.Link(e.Link, "")})
	}
	if e.MessageLink != "" {
		fields = append(fields, commands.Field{Label: "From", Value: commands.Link(e.MessageLink, "the message it was raised on")})
	}
	if note := latestNote(e); note != "" {
		fields = append(fields, commands.Field{Label: "Latest note", Value: note})
	}
	card := commands.Response{
		Visibility: commands.InChannel,
		Title:      fmt.Sprintf("%s · %s", commands.EscID(e.N), commands.Clip(o.Title, 100)),
		Text:       fmt.Sprintf("%s escalated %s for %s: %s", commands.Mention(e.RaisedBy), core.TicketText(e.Ref), commands.Code(o.Key), e.Reason),
		Sections:   []commands.Section{{Fields: fields}},
	}
	if len(e.Also) > 0 {
		card.Sections[0].Fields = append(card.Sections[0].Fields, commands.Field{Label: "Also waiting", Value: alsoText(e.Also)})
	}
	if who := responsible(e, o); who != "" && e.State == record.StateOpen {
		card.Text = commands.Mention(who) + " " + card.Text
	}
	if e.State != record.StateResolved {
		card.Actors = actors(e, o)
	}
	value := commands.EscID(e.N)
	switch e.State {
	case record.StateOpen:
		card.Buttons = []commands.Button{{Label: "Acknowledge", Action: commands.ActionAck, Value: value, Style: commands.StylePrimary}, {Label: "Resolve", Action: commands.ActionResolve, Value: value}}
	case record.StateAcknowledged:
		card.Buttons = []commands.Button{{Label: "Resolve", Action: commands.ActionResolve, Value: value}}
	}
	if len(card.Buttons) > 0 {
		card.Buttons = append(card.Buttons, cardButtons(value)...)
	}
	return card
}

// actors are the people expected to act on e's card: its assignee and its
// outcome's IT owner (it-leads and admins may act on any card too).
func actors(e record.Escalation, o record.Outcome) []string {
	var out []string
	for _, id := range []string{e.Assignee, o.ITOwner} {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// latestNote is the newest note on e (added with /escalate note, or given
// when it was acknowledged or resolved), with who wrote it.
func latestNote(e record.Escalation) string {
	type note struct {
		text, by string
		at       time.Time
	}
	var best note
	for _, n := range []note{{e.AckNote, e.AckBy, e.AckAt}, {e.Note, e.NoteBy, e.NoteAt}, {e.ResolveNote, e.ResolvedBy, e.ResolvedAt}} {
		if n.text != "" && !n.at.Before(best.at) {
			best = n
		}
	}
	if best.text == "" {
		return ""
	}
	return best.text + " (" + commands.ActorText(best.by) + ")"
}

// alsoText names the others waiting on an escalation (at most ten, then
// how many more). Updating a message does not notify the people it
// mentions, so a card updated on every join pings nobody again.
func alsoText(also []record.Raiser) string {
	names := make([]string, 0, len(also))
	for i, a := range also {
		if i == 10 {
			names = append(names, fmt.Sprintf("and %d more", len(also)-i))
			break
		}
		names = append(names, commands.Mention(a.By))
	}
	return strings.Join(names, ", ")
}

// stateText says where e stands, with times formatted by when.
func stateText(e record.Escalation, when func(time.Time) string) string {
	switch e.State {
	case record.StateAcknowledged:
		return fmt.Sprintf("Acknowledged by %s at %s, waited %s", commands.Mention(e.AckBy), when(e.AckAt), commands.DurationText(e.AckAt.Sub(e.RaisedAt)))
	case record.StateResolved:
		if e.Withdrawn {
			return fmt.Sprintf("Withdrawn by %s at %s", commands.ActorText(e.ResolvedBy), when(e.ResolvedAt))
		}
		s := fmt.Sprintf("Resolved by %s at %s", commands.ActorText(e.ResolvedBy), when(e.ResolvedAt))
		if e.AckBy != "" {
			s += fmt.Sprintf(" (acknowledged by %s after %s)", commands.Mention(e.AckBy), commands.DurationText(e.AckAt.Sub(e.RaisedAt)))
		}
		return s
	}
	if !e.ReopenedAt.IsZero() {
		return fmt.Sprintf("Reopened by %s at %s, not acknowledged", commands.ActorText(e.ReopenedBy), when(e.ReopenedAt))
	}
	return "Open, not acknowledged"
}

// stateText says where e stands, its times in each reader's zone.
func (c *Escalations) stateText(e record.Escalation) string {
	return stateText(e, func(t time.Time) string { return commands.Time(t, commands.TimeDateTime, c.cfg.DefaultTZ) })
}

// responsible is who must act on e: its assignee, else its outcome's IT
// owner ("" when neither is set).
func responsible(e record.Escalation, o record.Outcome) string {
	if e.Assignee != "" {
		return e.Assignee
	}
	return o.ITOwner
}

// leadershipUpdates keep the posts that raised e to leadership current:
// each is replaced by where e stands now (acknowledged, resolved, moved,
// withdrawn…). Updating a message notifies nobody.
func (c *Escalations) leadershipUpdates(ws string, e record.Escalation, o record.Outcome) []commands.Outgoing {
	if len(e.RaisePosts) == 0 {
		return nil
	}
	now := c.stateText(e)
	if e.Assignee != "" && e.State != record.StateResolved {
		now += "; assigned to " + commands.Mention(e.Assignee)
	}
	msg := commands.Response{Visibility: commands.InChannel, Text: fmt.Sprintf("Raised to leadership: %s (%s → %s): %s\nNow: %s.",
		commands.Bold(commands.EscID(e.N)), c.core.TicketText(e.Ref), commands.Code(orKey(o, e)), e.Reason, now)}
	out := make([]commands.Outgoing, 0, len(e.RaisePosts))
	for _, p := range e.RaisePosts {
		out = append(out, commands.Outgoing{To: commands.Destination{Workspace: ws, Channel: p.Channel, Update: p.ID}, Message: msg})
	}
	return out
}

// orKey is o's key, or e's outcome when o is unknown.
func orKey(o record.Outcome, e record.Escalation) string {
	if o.Key != "" {
		return o.Key
	}
	return e.Outcome
}
