package escalation

import (
	"context"
	"errors"
	"fmt"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

const usageAttach = "/escalate ticket <E-n> <ticket>"

// attachTicket gives an escalation raised without a ticket its ticket,
// once one exists: the ticket is tagged to the escalation's outcome (if it
// is not tagged yet), becomes the escalation's, and the card shows it.
func (c *Escalations) attachTicket(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	id, ok := args.Word(0)
	ticket, ok2 := args.Word(1)
	if !ok || !ok2 || len(args.Words) > 2 || len(args.Order) > 0 {
		return commands.Response{}, commands.Userf("Usage: %s, e.g. %s", commands.Code(usageAttach), commands.Code("/escalate ticket E-7 INC0012345"))
	}
	n, err := commands.ParseEscalationID(id.Text)
	if err != nil {
		return commands.Response{}, err
	}
	ref, err := c.core.TicketWord(ticket)
	if err != nil {
		return commands.Response{}, err
	}
	e, err := c.store.GetEscalation(ctx, req.Workspace, n)
	switch {
	case errors.Is(err, record.ErrNotFound):
		return commands.Response{}, noEscalation(n)
	case err != nil:
		return commands.Response{}, err
	case e.Ref != "":
		return commands.Response{}, commands.Userf("%s already has the ticket %s.", commands.EscID(n), c.core.TicketText(e.Ref))
	}
	r, err := c.store.GetRequest(ctx, req.Workspace, ref)
	switch {
	case err != nil && !errors.Is(err, record.ErrNotFound):
		return commands.Response{}, err
	case r.Outcome != "" && r.Outcome != e.Outcome:
		return commands.Response{}, commands.Userf("%s is tagged to %s but %s is for %s: re-tag the ticket first with %s, or give %s another ticket.",
			c.core.TicketText(ref), commands.Code(r.Outcome), commands.EscID(n), commands.Code(e.Outcome), commands.Code("/tag "+ref+" "+e.Outcome), commands.EscID(n))
	}
	// Attach first: a refusal then writes nothing; the tag follows.
	e, err = c.store.AttachTicket(ctx, req.Workspace, n, ref, req.User, req.Time)
	switch {
	case errors.Is(err, record.ErrExists):
		return commands.Response{}, commands.Userf("%s already has the ticket %s.", commands.EscID(n), c.core.TicketText(e.Ref))
	case errors.Is(err, record.ErrDuplicate):
		return commands.Response{}, commands.Userf("%s already has an open escalation, %s: it cannot be %s's ticket too.", c.core.TicketText(ref), commands.EscID(e.N), commands.EscID(n))
	case err != nil:
		return commands.Response{}, err
	}
	if r.Outcome == "" {
		if _, err := c.store.Tag(ctx, req.Workspace, ref, e.Outcome, req.User, "", req.Time); err != nil {
			return commands.Response{}, fmt.Errorf("tag %s to %s after attaching it to %s: %w", ref, e.Outcome, commands.EscID(n), err)
		}
	}
	resp := commands.Response{Text: fmt.Sprintf("%s now has the ticket %s (tagged to %s).", commands.Bold(commands.EscID(n)), c.core.TicketText(ref), commands.Code(e.Outcome))}
	if e.CardID != "" {
		o, err := c.store.GetOutcome(ctx, req.Workspace, e.Outcome)
		if err != nil {
			o = record.Outcome{Key: e.Outcome, Title: e.Outcome}
		}
		resp.Outgoing = []commands.Outgoing{{To: commands.Destination{Workspace: req.Workspace, Channel: e.CardChannel, Update: e.CardID}, Message: c.Card(e, o, req.Time)}}
	}
	return resp, nil
}
