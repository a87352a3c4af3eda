package escalation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

const (
	usageWithdraw = "/escalate withdraw <E-n> <reason…>"
	usageReopen   = "/escalate reopen <E-n> [reason…]"
	// ReopenWindow is how long after it was resolved an escalation may be
	// reopened (as the same E-n) instead of raised anew.
	ReopenWindow = 14 * 24 * time.Hour
)

// withdraw lets the raiser (or an admin) withdraw an open escalation with
// a reason: it ends like a resolve, marked withdrawn, and IT is told on
// the card.
func (c *Escalations) withdraw(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	n, reason, err := escalationAndText(args, usageWithdraw, "/escalate withdraw E-4 fixed itself after a restart")
	if err != nil {
		return commands.Response{}, err
	}
	if reason == "" {
		return commands.Response{}, commands.Userf("Say why you withdraw it: %s", commands.Code(usageWithdraw))
	}
	e, o, err := c.store.Withdraw(ctx, req.Workspace, n, req.User, reason, req.Time, c.core.Need(req, record.RoleAdmin))
	switch {
	case errors.Is(err, record.ErrForbidden):
		return commands.Response{}, commands.Userf("Only the person who raised %s (or an admin) can withdraw it.", commands.EscID(n))
	case errors.Is(err, record.ErrNotFound):
		return commands.Response{}, noEscalation(n)
	case errors.Is(err, record.ErrResolved):
		return commands.Response{}, commands.Userf("%s is already resolved; there is nothing to withdraw.", commands.EscID(n))
	case err != nil:
		return commands.Response{}, err
	}
	return c.changed(req, e, o, fmt.Sprintf("%s withdrew %s: %s", commands.Mention(req.User), commands.Bold(commands.EscID(n)), reason),
		fmt.Sprintf("You withdrew %s.", commands.Bold(commands.EscID(n)))), nil
}

// reopen reopens a resolved escalation within ReopenWindow, by its raiser
// or assignee (or an admin): the same E-n, open again, its ladder counting
// from now.
func (c *Escalations) reopen(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	n, reason, err := escalationAndText(args, usageReopen, "/escalate reopen E-4 the tills froze again")
	if err != nil {
		return commands.Response{}, err
	}
	e, o, err := c.store.Reopen(ctx, req.Workspace, n, req.User, reason, req.Time, ReopenWindow, c.core.Need(req, record.RoleAdmin))
	switch {
	case errors.Is(err, record.ErrForbidden):
		return commands.Response{}, commands.Userf("Only the person who raised %s, its assignee (or an admin) can reopen it.", commands.EscID(n))
	case errors.Is(err, record.ErrNotFound):
		return commands.Response{}, noEscalation(n)
	case errors.Is(err, record.ErrDuplicate):
		return commands.Response{}, commands.Userf("Its ticket has another open escalation, %s: follow that one instead of reopening %s.", commands.EscID(e.N), commands.EscID(n))
	case errors.Is(err, record.ErrStillOpen):
		return commands.Response{}, commands.Userf("%s is still open; there is nothing to reopen.", commands.EscID(n))
	case errors.Is(err, record.ErrResolved):
		return commands.Response{}, commands.Userf("%s was resolved more than 14 days ago: raise a new escalation instead.", commands.EscID(n))
	case err != nil:
		return commands.Response{}, err
	}
	what := fmt.Sprintf("%s reopened %s", commands.Mention(req.User), commands.Bold(commands.EscID(n)))
	if reason != "" {
		what += ": " + reason
	}
	return c.changed(req, e, o, what, fmt.Sprintf("You reopened %s; the ladder starts again now.", commands.Bold(commands.EscID(n)))), nil
}

// changed answers a lifecycle change: the caller's reply, the card updated
// in place with the change in its thread, and everyone waiting told.
func (c *Escalations) changed(req commands.Request, e record.Escalation, o record.Outcome, what, reply string) commands.Response {
	if o.Key == "" {
		o = record.Outcome{Key: e.Outcome, Title: e.Outcome}
	}
	c.touched(req.Workspace, e, o)
	resp := commands.Response{Text: reply}
	line := commands.Response{Visibility: commands.InChannel, Text: what + " (" + c.core.TicketText(e.Ref) + ")."}
	if e.CardID != "" {
		card := commands.Destination{Workspace: req.Workspace, Channel: e.CardChannel}
		update, thread := card, card
		update.Update, thread.Thread = e.CardID, e.CardID
		resp.Outgoing = append(resp.Outgoing, commands.Outgoing{To: update, Message: c.Card(e, o, req.Time)}, commands.Outgoing{To: thread, Message: line})
	}
	for _, w := range c.waiting(req.Workspace, e) {
		if w.user != req.User {
			resp.Outgoing = append(resp.Outgoing, commands.Outgoing{To: w.dest, Message: line, Person: w.user})
		}
	}
	resp.Outgoing = append(resp.Outgoing, c.leadershipUpdates(req.Workspace, e, o)...)
	return resp
}

// escalationAndText reads "<E-n> [text…]".
func escalationAndText(args commands.Args, usage, example string) (int64, string, error) {
	id, ok := args.Word(0)
	if !ok {
		return 0, "", commands.Userf("Usage: %s, e.g. %s", commands.Code(usage), commands.Code(example))
	}
	n, err := commands.ParseEscalationID(id.Text)
	if err != nil {
		return 0, "", err
	}
	return n, commands.NoteText(args, 1), nil
}
