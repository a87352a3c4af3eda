package commands

import (
	"context"
	"errors"
	"fmt"

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
	ackTransition     = transition{verb: "acknowledge", past: "acknowledged", event: EscalationAcknowledged, usage: "/ack <E-n> [note…]", example: "/ack E-7 looking into it"}
	resolveTransition = transition{verb: "resolve", past: "resolved", event: EscalationResolved, usage: "/resolve <E-n> [note…]", example: "/resolve E-7 reader firmware rolled back", resolve: true}
)

// transitionHandler acknowledges or resolves in one Redis round trip: the
// role check, the change and the read of the outcome for the card are one
// atomic script (configured admins skip the check).
func (c *Core) transitionHandler(t transition) HandlerFunc {
	return func(ctx context.Context, req Request, args Args) (Response, error) {
		what := t.verb + " escalations"
		id, ok := args.Word(0)
		if !ok {
			if err := c.require(ctx, req, what, record.RoleITLead); err != nil {
				return Response{}, err
			}
			return Response{}, Userf("Usage: %s\nExample: %s", Code(t.usage), Code(t.example))
		}
		n, err := parseEscalationID(id.Text)
		if err != nil {
			return Response{}, err
		}
		st := record.Settlement{N: n, Resolve: t.resolve, Actor: req.User, At: req.Time}
		if req.Action == nil {
			st.Note = noteText(args, 1) // a blank note ("   ") is no note
		}
		st.Roles = req.Need // the router's role check, made inside the store's script
		e, o, first, err := c.store.Settle(ctx, req.Workspace, st)
		switch {
		case errors.Is(err, record.ErrForbidden):
			return Response{}, c.forbidden(ctx, req, what, record.RoleITLead)
		case errors.Is(err, record.ErrNotFound):
			return Response{}, Userf("There is no escalation %s in this workspace. See %s.", EscID(n), Code("/escalate list"))
		case errors.Is(err, record.ErrResolved):
			return Response{}, Userf("%s is already resolved, so there is nothing to %s. Raise a new escalation if the problem is back.", EscID(n), t.verb)
		case err != nil:
			return Response{}, err
		}
		if first {
			c.observeEscalation(t.event, e)
		}
		return c.transitionDone(req, t, e, o, first), nil
	}
}

// transitionDone builds the answer after an ack or resolve: the updated card
// (in place for a button press), and the requester's notice.
func (c *Core) transitionDone(req Request, t transition, e record.Escalation, o record.Outcome, first bool) Response {
	if o.Key == "" { // the outcome is gone
		o = record.Outcome{Key: e.Outcome, Title: e.Outcome}
	}
	card := c.EscalationCard(e, o)
	if !first {
		msg := fmt.Sprintf("%s was already %s: %s.", Bold(EscID(e.N)), t.past, c.stateText(e))
		if req.Action != nil {
			card.Replace = true
			card.Context = msg
			return card
		}
		return Response{Text: msg}
	}
	var resp Response
	if req.Action != nil {
		resp = card
		resp.Replace = true
	} else {
		resp = Response{Text: fmt.Sprintf("You %s %s: %s.", t.past, Bold(EscID(e.N)), c.stateText(e))}
		if e.CardID != "" {
			resp.Outgoing = append(resp.Outgoing, Outgoing{To: Destination{Workspace: req.Workspace, Channel: e.CardChannel, Update: e.CardID}, Message: card})
		}
	}
	resp.Outgoing = append(resp.Outgoing, c.requesterNotice(req.Workspace, t, e))
	return resp
}

func (c *Core) requesterNotice(ws string, t transition, e record.Escalation) Outgoing {
	var text string
	if t.past == "resolved" {
		text = fmt.Sprintf("%s your escalation %s (%s) was resolved by %s.", Mention(e.RaisedBy), Bold(EscID(e.N)), c.TicketText(e.Ref), Mention(e.ResolvedBy))
		if e.ResolveNote != "" {
			text += "\nNote: " + e.ResolveNote
		}
	} else {
		text = fmt.Sprintf("%s your escalation %s (%s) was acknowledged by %s after %s.", Mention(e.RaisedBy), Bold(EscID(e.N)), c.TicketText(e.Ref), Mention(e.AckBy), DurationText(e.AckAt.Sub(e.RaisedAt)))
		if e.AckNote != "" {
			text += "\nNote: " + e.AckNote
		}
	}
	ch := e.AnnounceChannel
	if ch == "" {
		ch = e.RaisedIn
	}
	return Outgoing{To: Destination{Workspace: ws, Channel: ch, Thread: e.AnnounceID}, Message: Response{Visibility: InChannel, Text: text}}
}
