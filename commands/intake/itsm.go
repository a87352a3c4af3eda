package intake

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/escalation"
	"github.com/outcomebot/outcomebot/store/record"
)

// The ITSM closes the loop: an item that closes its ticket resolves the
// ticket's open escalation, and one that reopens it reopens its resolved
// escalation (within escalation.ReopenWindow), in the store's atomic step
// for the item (see record.IntakeResult.Escalation). Whoever was waiting
// is then told, by the messages /resolve and /escalate reopen send, when
// an announcer is set (the server sets one; the import command runs
// without chat, so there the results only list the escalations).

// Messenger builds the messages for an escalation the ITSM resolved or
// reopened: escalation.Escalations.ITSMChanged.
type Messenger interface {
	ITSMChanged(ctx context.Context, ws string, n int64, change string, at time.Time) ([]commands.Outgoing, error)
}

// Deliverer posts messages in a workspace (the server: Core.Deliver with
// the workspace's platform).
type Deliverer func(ctx context.Context, ws string, outs []commands.Outgoing) error

// announcer tells chat about the escalations an intake call changed.
type announcer struct {
	m       Messenger
	deliver Deliverer
	log     *slog.Logger
}

// Announce makes every later Take tell chat about the escalations its
// items resolved or reopened: m builds the messages and deliver posts
// them, before Take returns. A failure is logged (log nil: slog.Default())
// and never fails the call: the change itself is recorded, and sending
// the call again would change (and tell) nothing.
func (c *Intake) Announce(m Messenger, deliver Deliverer, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	c.announce = &announcer{m: m, deliver: deliver, log: log}
}

// escalationNote is the note a ticket's escalation gets when item it
// closes or reopens the ticket: "closed in ServiceNow as Resolved".
func escalationNote(it Item, status string) string {
	where := commands.SourceName(it.Source)
	if where == "" {
		where = "the ITSM"
	}
	word := commands.Clip(oneLine(it.Status), 60)
	plain := word == "" || strings.EqualFold(word, status) // a bare "closed" or "open" says nothing more
	switch {
	case status == record.RequestClosed && plain:
		return "closed in " + where
	case status == record.RequestClosed:
		return "closed in " + where + " as " + word
	case status == record.RequestOpen && plain:
		return "reopened in " + where
	case status == record.RequestOpen:
		return "reopened in " + where + " (" + word + ")"
	}
	return ""
}

// announceChanges tells chat about each escalation results resolved or
// reopened at `at`.
func (c *Intake) announceChanges(ctx context.Context, ws string, results []record.IntakeResult, at time.Time) {
	a := c.announce
	if a == nil {
		return
	}
	ctx = context.WithoutCancel(ctx) // the change is made: tell people even if the caller hangs up
	for _, r := range results {
		if r.Escalation == 0 {
			continue
		}
		outs, err := a.m.ITSMChanged(ctx, ws, r.Escalation, r.EscalationChange, at)
		if err == nil && len(outs) > 0 {
			err = a.deliver(ctx, ws, outs)
		}
		if err != nil {
			a.log.Warn("could not tell chat about an escalation the ITSM changed", "workspace", ws,
				"escalation", commands.EscID(r.Escalation), "change", r.EscalationChange, "err", err)
		}
	}
}

// reopenWindow is how long after it was resolved a reopened ticket
// reopens its escalation: the same window /escalate reopen has.
const reopenWindow = escalation.ReopenWindow
