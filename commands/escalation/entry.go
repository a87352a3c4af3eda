package escalation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// The buttons of one entry of a queue (/escalate list and the home view).
// Acknowledge and Resolve from a list answer the clicker and update the
// card in the IT channel (the card's own buttons replace the card instead);
// Snooze is the reminder's ActionSnooze; Reassign opens the Reassign form
// (an older list's Reassign, ActionEntryAssign, says the command).
const (
	ActionEntryAck     = "queue_ack"
	ActionEntryResolve = "queue_resolve"
	ActionEntryAssign  = "queue_assign"
)

// registerEntries registers the queue entries' own actions: the same role
// checks, inside the same store scripts, as /ack and /resolve.
func (c *Escalations) registerEntries(ack, resolve commands.HandlerFunc) {
	c.core.Register(nil,
		commands.Definition{Name: ActionEntryAck, Role: record.RoleITLead, Doing: "acknowledge escalations", Atomic: true, Handler: asCommand(ack)},
		commands.Definition{Name: ActionEntryResolve, Role: record.RoleITLead, Doing: "resolve escalations", Atomic: true, Handler: asCommand(resolve)},
		commands.Definition{Name: ActionEntryAssign, Handler: commands.HandlerFunc(c.entryAssign)},
	)
	c.core.AddHomePart(c.homeQueue)
}

// asCommand runs a card action's handler as its command would run: the
// clicker gets a reply and the card is updated where it is, since the
// button was not on the card.
func asCommand(h commands.HandlerFunc) commands.HandlerFunc {
	return func(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
		req.Action = nil
		return h(ctx, req, args)
	}
}

// entryAssign answers a queue entry's Reassign: the command that does it.
func (c *Escalations) entryAssign(_ context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	id, ok := args.Word(0)
	if !ok {
		return commands.Response{}, commands.Userf("Usage: %s", commands.Code(usageAssign))
	}
	n, err := commands.ParseEscalationID(id.Text)
	if err != nil {
		return commands.Response{}, err
	}
	return commands.Response{Text: fmt.Sprintf("To give %s to someone, type %s (add %s to move it to another outcome).",
		commands.Bold(commands.EscID(n)), commands.Code("/escalate assign "+commands.EscID(n)+" @person"), commands.Code("outcome=<key>"))}, nil
}

// entryButtons are the actions on e for someone allowed to act on it:
// Acknowledge (open), Resolve (open or acknowledged), Snooze, Reassign.
func entryButtons(e record.Escalation) []commands.Button {
	if e.State != record.StateOpen && e.State != record.StateAcknowledged {
		return nil
	}
	id := commands.EscID(e.N)
	var out []commands.Button
	if e.State == record.StateOpen {
		out = append(out, commands.Button{Label: "Acknowledge", Action: ActionEntryAck, Value: id, Style: commands.StylePrimary})
	}
	return append(out,
		commands.Button{Label: "Resolve", Action: ActionEntryResolve, Value: id},
		commands.Button{Label: "Snooze 1h", Action: ActionSnooze, Value: id + " 1h"},
		commands.Button{Label: "Snooze 4h", Action: ActionSnooze, Value: id + " 4h"},
		commands.Button{Label: "Until morning", Action: ActionSnooze, Value: id + " morning"},
		commands.FormButton("Reassign", FormAssign, id), // opens the Reassign form
	)
}

// mayAct tells whether user may act on a queue's escalations: as the
// one responsible or the outcome's IT owner without a role, else as an
// it-lead or admin (their roles read once, only when needed).
type mayAct struct {
	c      *Escalations
	ctx    context.Context
	req    commands.Request
	lead   bool
	looked bool
}

func (m *mayAct) on(e record.Escalation, o record.Outcome) bool {
	if responsible(e, o) == m.req.User || o.ITOwner == m.req.User {
		return true
	}
	return m.isLead()
}

// isLead reports whether the user is an it-lead or admin, read once.
func (m *mayAct) isLead() bool {
	if !m.looked {
		m.lead, m.looked = m.c.leadOrAdmin(m.ctx, m.req), true
	}
	return m.lead
}

// homeMax is the most queue entries a home view shows (each is two of the
// tab's hundred blocks).
const homeMax = 15

// homeQueue is the home view's "Your queue": the open escalations assigned
// to user (as /escalate list assigned means it), overdue first, each with
// its buttons.
func (c *Escalations) homeQueue(ctx context.Context, ws, user string, now time.Time) ([]commands.Section, error) {
	req := commands.Request{Workspace: ws, User: user, Time: now}
	items, q, err := c.queueItems(ctx, req, "assigned", "")
	if err != nil {
		if _, ok := commands.AsUserError(err); ok || errors.Is(err, record.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	const title = "Your queue"
	if len(items) == 0 {
		return []commands.Section{{Title: title, Text: "Nothing waits on you."}}, nil
	}
	may := &mayAct{c: c, ctx: ctx, req: req}
	var out []commands.Section
	for i, e := range items {
		if i == homeMax {
			out = append(out, commands.Section{Text: fmt.Sprintf("…and %d more: %s", len(items)-i, commands.Code("/escalate list assigned"))})
			break
		}
		s := commands.Section{Text: q.line(e)}
		if i == 0 {
			s.Title = fmt.Sprintf("%s (%d)", title, len(items))
		}
		if may.on(e, q.outcomes[e.Outcome]) {
			s.Buttons = entryButtons(e)
		}
		out = append(out, s)
	}
	return out, nil
}

// touched tells the core's watchers whom a change of e concerns: its
// raiser, those who joined it, its assignee and its outcome's IT owner
// (and more, such as a previous assignee).
func (c *Escalations) touched(ws string, e record.Escalation, o record.Outcome, more ...string) {
	c.core.EscalationTouched(ws, append(commands.EscalationPeople(e, o), more...)...)
}
