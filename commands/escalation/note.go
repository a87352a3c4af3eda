package escalation

import (
	"context"
	"errors"
	"fmt"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

const usageNote = "/escalate note <E-n> <text…>"

// addNote records a note on an escalation (its IT owner, it-lead or admin;
// checked in the same atomic step as the change), shows it on the card,
// adds it to the card's thread and tells everyone waiting.
func (c *Escalations) addNote(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	id, ok := args.Word(0)
	text := commands.NoteText(args, 1)
	if !ok || text == "" {
		return commands.Response{}, commands.Userf("Usage: %s, e.g. %s", commands.Code(usageNote), commands.Code("/escalate note E-4 vendor engineer on site at 2pm"))
	}
	n, err := commands.ParseEscalationID(id.Text)
	if err != nil {
		return commands.Response{}, err
	}
	return c.note(ctx, req, n, text)
}

// note records text as a note on escalation n: what /escalate note and the
// "Add note" form both run. The role check is in the store's atomic step
// (req.Need).
func (c *Escalations) note(ctx context.Context, req commands.Request, n int64, text string) (commands.Response, error) {
	e, o, err := c.store.AddNote(ctx, req.Workspace, n, req.User, text, req.Time, req.Need)
	switch {
	case errors.Is(err, record.ErrForbidden):
		return commands.Response{}, c.core.Forbidden(ctx, req, doingNote, record.RoleITLead)
	case errors.Is(err, record.ErrNotFound):
		return commands.Response{}, noEscalation(n)
	case errors.Is(err, record.ErrResolved):
		return commands.Response{}, commands.Userf("%s is resolved; notes go on open escalations.", commands.EscID(n))
	case err != nil:
		return commands.Response{}, err
	}
	if o.Key == "" {
		o = record.Outcome{Key: e.Outcome, Title: e.Outcome}
	}
	c.touched(req.Workspace, e, o)
	resp := commands.Response{Text: fmt.Sprintf("Note added to %s; everyone waiting is told.", commands.Bold(commands.EscID(n)))}
	note := fmt.Sprintf("Note on %s (%s) from %s: %s", commands.Bold(commands.EscID(n)), c.core.TicketText(e.Ref), commands.Mention(req.User), text)
	if e.CardID != "" {
		card := commands.Destination{Workspace: req.Workspace, Channel: e.CardChannel}
		update, thread := card, card
		update.Update, thread.Thread = e.CardID, e.CardID
		resp.Outgoing = append(resp.Outgoing,
			commands.Outgoing{To: update, Message: c.Card(e, o, req.Time)},
			commands.Outgoing{To: thread, Message: commands.Response{Visibility: commands.InChannel, Text: note}})
	}
	for _, to := range c.waiting(req.Workspace, e) {
		resp.Outgoing = append(resp.Outgoing, commands.Outgoing{To: to.dest, Person: to.user, Message: commands.Response{Visibility: commands.InChannel,
			Text: commands.Mention(to.user) + " " + note}})
	}
	return resp, nil
}

// waiter is someone waiting on an escalation and where to tell them.
type waiter struct {
	user string
	dest commands.Destination
}

// waiting lists who waits on e: the raiser, under their announcement, and
// everyone who joined, in the channel they escalated from.
func (c *Escalations) waiting(ws string, e record.Escalation) []waiter {
	ch := e.AnnounceChannel
	if ch == "" {
		ch = e.RaisedIn
	}
	out := []waiter{{user: e.RaisedBy, dest: commands.Destination{Workspace: ws, Channel: ch, Thread: e.AnnounceID}}}
	for _, a := range e.Also {
		if a.In != "" {
			out = append(out, waiter{user: a.By, dest: commands.Destination{Workspace: ws, Channel: a.In}})
		}
	}
	return out
}
