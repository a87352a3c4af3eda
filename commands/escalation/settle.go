package escalation

import (
	"context"
	"errors"
	"fmt"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// transition is acknowledge or resolve: the same shape, different verbs.
type transition struct {
	verb, past string // "acknowledge", "acknowledged"
	event      string // reported to an Observer: EscalationAcknowledged or EscalationResolved
	usage      string
	example    string
	resolve    bool
}

var (
	ackTransition     = transition{verb: "acknowledge", past: "acknowledged", event: commands.EscalationAcknowledged, usage: "/ack <E-n> [note…]", example: "/ack E-7 looking into it"}
	resolveTransition = transition{verb: "resolve", past: "resolved", event: commands.EscalationResolved, usage: "/resolve <E-n> [note…]", example: "/resolve E-7 reader firmware rolled back", resolve: true}
)

// transitionHandler acknowledges or resolves in one Redis round trip: the
// role check, the change and the read of the outcome for the card are one
// atomic script (configured admins skip the check).
func (c *Escalations) transitionHandler(t transition) commands.HandlerFunc {
	return func(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
		what := t.verb + " escalations"
		id, ok := args.Word(0)
		if !ok {
			if err := c.core.Require(ctx, req, what, record.RoleITLead); err != nil {
				return commands.Response{}, err
			}
			return commands.Response{}, commands.Userf("Usage: %s\nExample: %s", commands.Code(t.usage), commands.Code(t.example))
		}
		n, err := commands.ParseEscalationID(id.Text)
		if err != nil {
			return commands.Response{}, err
		}
		st := record.Settlement{N: n, Resolve: t.resolve, Actor: req.User, At: req.Time}
		if req.Action == nil {
			st.Note = commands.NoteText(args, 1) // a blank note ("   ") is no note
		}
		st.Roles = req.Need // the router's role check, made inside the store's script
		e, o, first, err := c.store.Settle(ctx, req.Workspace, st)
		switch {
		case errors.Is(err, record.ErrForbidden):
			return commands.Response{}, c.core.Forbidden(ctx, req, what+" (or own the outcome in IT)", record.RoleITLead)
		case errors.Is(err, record.ErrNotFound):
			return commands.Response{}, noEscalation(n)
		case errors.Is(err, record.ErrResolved):
			return commands.Response{}, commands.Userf("%s is already resolved, so there is nothing to %s. Raise a new escalation if the problem is back.", commands.EscID(n), t.verb)
		case err != nil:
			return commands.Response{}, err
		}
		if first {
			c.core.ObserveEscalation(t.event, e)
		}
		return c.transitionDone(req, t, e, o, first), nil
	}
}

// transitionDone builds the answer after an ack or resolve: the updated card
// (in place for a button press), and the requester's notice.
func (c *Escalations) transitionDone(req commands.Request, t transition, e record.Escalation, o record.Outcome, first bool) commands.Response {
	if o.Key == "" { // the outcome is gone
		o = record.Outcome{Key: e.Outcome, Title: e.Outcome}
	}
	if first {
		c.touched(req.Workspace, e, o)
	}
	card := c.Card(e, o, req.Time)
	if !first {
		msg := fmt.Sprintf("%s was already %s: %s.", commands.Bold(commands.EscID(e.N)), t.past, c.stateText(e))
		if req.Action != nil {
			card.Replace = true
			card.Context = msg
			return card
		}
		return commands.Response{Text: msg}
	}
	var resp commands.Response
	if req.Action != nil {
		resp = card
		resp.Replace = true
	} else {
		resp = commands.Response{Text: fmt.Sprintf("You %s %s: %s.", t.past, commands.Bold(commands.EscID(e.N)), c.stateText(e))}
		if e.CardID != "" {
			resp.Outgoing = append(resp.Outgoing, commands.Outgoing{To: commands.Destination{Workspace: req.Workspace, Channel: e.CardChannel, Update: e.CardID}, Message: card})
		}
	}
	resp.Outgoing = append(resp.Outgoing, c.requesterNotice(req.Workspace, t, e))
	resp.Outgoing = append(resp.Outgoing, c.waitingNotices(req.Workspace, t, e)...)
	resp.Outgoing = append(resp.Outgoing, c.leadershipUpdates(req.Workspace, e, o)...)
	return resp
}

// waitingNotices tell everyone else who raised the escalation that it
// moved, each in the channel they raised it from.
func (c *Escalations) waitingNotices(ws string, t transition, e record.Escalation) []commands.Outgoing {
	var out []commands.Outgoing
	for _, a := range e.Also {
		if a.In == "" {
			continue
		}
		text := fmt.Sprintf("%s %s (%s), which you also raised, was %s by %s.", commands.Mention(a.By), commands.Bold(commands.EscID(e.N)),
			c.core.TicketText(e.Ref), t.past, commands.ActorText(actorOf(t, e)))
		out = append(out, commands.Outgoing{To: commands.Destination{Workspace: ws, Channel: a.In}, Message: commands.Response{Visibility: commands.InChannel, Text: text}, Person: a.By})
	}
	return out
}

// actorOf is who made transition t.
func actorOf(t transition, e record.Escalation) string {
	if t.resolve {
		return e.ResolvedBy
	}
	return e.AckBy
}

func (c *Escalations) requesterNotice(ws string, t transition, e record.Escalation) commands.Outgoing {
	var text string
	if t.resolve {
		text = fmt.Sprintf("%s your escalation %s (%s) was resolved by %s.", commands.Mention(e.RaisedBy), commands.Bold(commands.EscID(e.N)), c.core.TicketText(e.Ref), commands.ActorText(e.ResolvedBy))
		if e.ResolveNote != "" {
			text += "\nNote: " + e.ResolveNote
		}
	} else {
		text = fmt.Sprintf("%s your escalation %s (%s) was acknowledged by %s after %s.", commands.Mention(e.RaisedBy), commands.Bold(commands.EscID(e.N)), c.core.TicketText(e.Ref), commands.Mention(e.AckBy), commands.DurationText(e.AckAt.Sub(e.RaisedAt)))
		if e.AckNote != "" {
			text += "\nNote: " + e.AckNote
		}
	}
	ch := e.AnnounceChannel
	if ch == "" {
		ch = e.RaisedIn
	}
	return commands.Outgoing{To: commands.Destination{Workspace: ws, Channel: ch, Thread: e.AnnounceID}, Message: commands.Response{Visibility: commands.InChannel, Text: text}, Person: e.RaisedBy}
}
