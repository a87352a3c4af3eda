package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

const usageEscalate = "/escalate <ticket> <reason…>"

func (c *Core) escalate(ctx context.Context, req Request, args Args) (Response, error) {
	ticket, ok := args.Word(0)
	reason := noteText(args, 1)
	example := Code("/escalate INC0012345 card payments failing in 3 stores since 9am")
	if ok && reason == "" && args.Rest(1) != "" {
		return Response{}, Userf("The reason is blank: say what is blocked, e.g. %s. Nothing was raised.", example)
	}
	if !ok || reason == "" {
		return Response{}, Userf("Usage: %s\nExample: %s", Code(usageEscalate), example)
	}
	ref, err := ticketArg(ticket)
	if err != nil {
		return Response{}, err
	}
	// One round trip: the store routes by the request's outcome and raises.
	e, o, err := c.store.EscalateRequest(ctx, req.Workspace, record.Escalation{
		Ref: ref, Reason: reason, RaisedBy: req.User, RaisedIn: req.Channel, RaisedAt: req.Time,
	})
	switch {
	case errors.Is(err, record.ErrUntagged):
		return Response{}, Userf("%s is not tagged to an outcome, so I do not know which IT owner to route it to. Tag it first with %s, then escalate again.", c.TicketText(ref), Code("/tag "+ref+" <outcome-key>"))
	case errors.Is(err, record.ErrArchived):
		return Response{}, Userf("%s is tagged to %s, which is archived. Re-tag it to an active outcome with %s, then escalate again.", c.TicketText(ref), Code(o.Key), Code("/tag "+ref+" <outcome-key>"))
	case errors.Is(err, record.ErrNotFound):
		return Response{}, Userf("%s is tagged to an outcome that no longer exists. Re-tag it with %s, then escalate again.", c.TicketText(ref), Code("/tag "+ref+" <outcome-key>"))
	case err != nil:
		return Response{}, err
	}
	c.observeEscalation(EscalationRaised, e)
	return c.escalationRaised(req, e, o), nil
}

// escalationRaised answers the raiser and queues the announcement and the card.
func (c *Core) escalationRaised(req Request, e record.Escalation, o record.Outcome) Response {
	itChannel := o.ITChannel
	if itChannel == "" {
		itChannel = req.Channel
	}
	sla := EscalationSLA(o, c.cfg.AckSLA)
	announce := Response{Visibility: InChannel, Text: fmt.Sprintf("%s escalated %s (%s): %s\n%s is routed to %s in %s; acknowledgement expected within %s.",
		Mention(e.RaisedBy), c.TicketText(e.Ref), Code(o.Key), e.Reason, Bold(EscID(e.N)), ownerText(o), ChannelLink(itChannel), DurationText(sla))}
	resp := Response{Text: fmt.Sprintf("%s raised for %s → %s. I will tell you here when IT acknowledges it.", Bold(EscID(e.N)), c.TicketText(e.Ref), Code(o.Key))}
	resp.Outgoing = []Outgoing{
		{To: Destination{Workspace: req.Workspace, Channel: req.Channel}, Message: announce, Track: &Track{Escalation: e.N, Kind: TrackAnnouncement}},
		{To: Destination{Workspace: req.Workspace, Channel: itChannel}, Message: c.EscalationCard(e, o), Track: &Track{Escalation: e.N, Kind: TrackCard}},
	}
	return resp
}

func ownerText(o record.Outcome) string {
	if o.ITOwner == "" {
		return "the IT team (no IT owner set)"
	}
	return Mention(o.ITOwner)
}

// EscalationCard renders the card for an escalation in its current state:
// open with Acknowledge and Resolve buttons, acknowledged with Resolve, or resolved.
func (c *Core) EscalationCard(e record.Escalation, o record.Outcome) Response {
	card := Response{
		Visibility: InChannel,
		Title:      fmt.Sprintf("%s · %s", EscID(e.N), Clip(o.Title, 100)),
		Text:       fmt.Sprintf("%s escalated %s for %s: %s", Mention(e.RaisedBy), c.TicketText(e.Ref), Code(o.Key), e.Reason),
		Sections: []Section{{Fields: []Field{
			{Label: "IT owner", Value: ownerText(o)},
			{Label: "Raised", Value: c.when(e.RaisedAt) + " in " + ChannelLink(e.RaisedIn)},
			{Label: "Status", Value: c.stateText(e)},
		}}},
	}
	if o.ITOwner != "" && e.State == record.StateOpen {
		card.Text = Mention(o.ITOwner) + " " + card.Text
	}
	value := EscID(e.N)
	switch e.State {
	case record.StateOpen:
		card.Buttons = []Button{{Label: "Acknowledge", Action: ActionAck, Value: value, Style: StylePrimary}, {Label: "Resolve", Action: ActionResolve, Value: value}}
	case record.StateAcknowledged:
		card.Buttons = []Button{{Label: "Resolve", Action: ActionResolve, Value: value}}
	}
	return card
}

func (c *Core) stateText(e record.Escalation) string {
	switch e.State {
	case record.StateAcknowledged:
		return fmt.Sprintf("Acknowledged by %s at %s, waited %s", Mention(e.AckBy), c.when(e.AckAt), DurationText(e.AckAt.Sub(e.RaisedAt)))
	case record.StateResolved:
		s := fmt.Sprintf("Resolved by %s at %s", Mention(e.ResolvedBy), c.when(e.ResolvedAt))
		if e.AckBy != "" {
			s += fmt.Sprintf(" (acknowledged by %s after %s)", Mention(e.AckBy), DurationText(e.AckAt.Sub(e.RaisedAt)))
		}
		return s
	}
	return "Open, not acknowledged"
}

// when formats a time in the default zone.
func (c *Core) when(t time.Time) string {
	return t.In(c.cfg.DefaultTZ).Format("Mon 2 Jan 15:04 MST")
}

// noEscalations answers an empty /escalate list, by mode.
var noEscalations = map[string]string{
	"open": "No open escalations.",
	"mine": "You have not raised any escalations.",
	"all":  "No escalations have been raised in this workspace yet.",
}

func (c *Core) escalationList(ctx context.Context, req Request, args Args) (Response, error) {
	mode := "open"
	if w, ok := args.Word(0); ok {
		mode = strings.ToLower(w.Text)
	}
	f := record.EscalationFilter{Limit: 25}
	switch mode {
	case "open":
		f.OpenOnly = true
	case "mine":
		f.RaisedBy = req.User
	case "all":
	default:
		return Response{}, Userf("Usage: %s — `%s` is not one of mine, open, all.", Code("/escalate list [mine|open|all]"), Clip(mode, 20))
	}
	es, err := c.store.ListEscalations(ctx, req.Workspace, f)
	if err != nil {
		return Response{}, err
	}
	if len(es) == 0 {
		return Response{Text: noEscalations[mode]}, nil
	}
	var lines []string
	for _, e := range es {
		lines = append(lines, fmt.Sprintf("%s %s → %s · %s · raised by %s %s: %s", Bold(EscID(e.N)), c.TicketText(e.Ref), Code(e.Outcome),
			e.State, Mention(e.RaisedBy), DurationText(req.Time.Sub(e.RaisedAt))+" ago", Clip(e.Reason, 120)))
	}
	return Response{Title: fmt.Sprintf("Escalations (%s)", mode), Sections: chunkLines("", lines)}, nil
}

// EscalationSLA returns the acknowledgement SLA of escalations on o: the
// outcome's own SLA when it has one (> 0), otherwise def.
func EscalationSLA(o record.Outcome, def time.Duration) time.Duration {
	if o.SLA > 0 {
		return o.SLA
	}
	return def
}
