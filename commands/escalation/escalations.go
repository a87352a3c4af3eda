// Package escalation is the escalation of blocked work: /escalate and its
// list, /ack and /resolve (and the card's buttons), the card itself and
// the notices to the person who raised it. It registers its commands with
// the root (commands.Core.Register).
package escalation

import (
	"context"
	"log/slog"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Store is what escalations need kept: raising one (routed by its request's
// outcome), settling one with the role check inside, and listing them. The
// Redis store implements it.
type Store interface {
	EscalateRequest(ctx context.Context, ws string, e record.Escalation) (record.Escalation, record.Outcome, record.Raise, error)
	Settle(ctx context.Context, ws string, st record.Settlement) (record.Escalation, record.Outcome, bool, error)
	ListEscalations(ctx context.Context, ws string, f record.EscalationFilter) ([]record.Escalation, error)
	GetEscalation(ctx context.Context, ws string, n int64) (record.Escalation, error)
	Assign(ctx context.Context, ws string, n int64, assignee, outcome, actor string, at time.Time, roles []string) (record.Escalation, record.Outcome, error)
	Withdraw(ctx context.Context, ws string, n int64, actor, reason string, at time.Time, roles []string) (record.Escalation, record.Outcome, error)
	Reopen(ctx context.Context, ws string, n int64, actor, reason string, at time.Time, window time.Duration, roles []string) (record.Escalation, record.Outcome, error)
	Snooze(ctx context.Context, ws string, n int64, actor string, until, at time.Time, roles []string) (record.Escalation, record.Outcome, error)
	AddNote(ctx context.Context, ws string, n int64, actor, note string, at time.Time, roles []string) (record.Escalation, record.Outcome, error)
	AttachTicket(ctx context.Context, ws string, n int64, ref, actor string, at time.Time) (record.Escalation, error)
	GetRequest(ctx context.Context, ws, ref string) (record.Request, error)
	GetOutcome(ctx context.Context, ws, key string) (record.Outcome, error)
	ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error)
	Tag(ctx context.Context, ws, ref, outcome, actor, note string, at time.Time) (string, error)
}

// Escalations handles escalation commands and buttons. Build it with New.
type Escalations struct {
	core  *commands.Core
	store Store
	cfg   commands.Config
	log   *slog.Logger
}

// New builds the escalation commands on core and st and registers
// /escalate (with list), /ack, /resolve and the card's buttons with core.
func New(core *commands.Core, st Store, log *slog.Logger) *Escalations {
	if log == nil {
		log = slog.Default()
	}
	c := &Escalations{core: core, store: st, cfg: core.Config(), log: log}
	ack, resolve := c.transitionHandler(ackTransition), c.transitionHandler(resolveTransition)
	core.Register([]commands.Definition{
		{Name: "escalate", FreeText: 1, Usage: usageEscalate, Summary: "raise blocked work to the outcome's IT owner", Handler: commands.HandlerFunc(c.escalate),
			Example: "/escalate INC0012345 card payments failing in 3 stores", Subs: []commands.Definition{
				{Name: "list", Usage: usageList, Summary: "your queue: what you own in IT (assigned) or raised, open, overdue or all", Handler: commands.HandlerFunc(c.escalationList)},
				{Name: "note", Usage: usageNote, FreeText: 1, Summary: "add a note to an escalation: on its card and to everyone waiting (its IT owner, it-lead or admin)",
					Role: record.RoleITLead, Doing: "add notes to escalations", Atomic: true, Handler: commands.HandlerFunc(c.addNote)},
				{Name: "assign", Usage: usageAssign, Summary: "give an escalation to a person, optionally moving it to another outcome (its IT owner, it-lead or admin)",
					Role: record.RoleITLead, Doing: "reassign escalations", Atomic: true, Handler: commands.HandlerFunc(c.assign)},
				{Name: "withdraw", Usage: usageWithdraw, FreeText: 1, Summary: "withdraw an escalation you raised, with a reason",
					Handler: commands.HandlerFunc(c.withdraw)},
				{Name: "reopen", Usage: usageReopen, FreeText: 1, Summary: "reopen a resolved escalation (its raiser or assignee, within 14 days)",
					Handler: commands.HandlerFunc(c.reopen)},
				{Name: "snooze", Usage: usageSnooze, Summary: "pause an escalation's reminders until then (its assignee, IT owner, it-lead or admin)",
					Role: record.RoleITLead, Doing: "snooze escalations", Atomic: true, Handler: commands.HandlerFunc(c.snooze)},
				{Name: "ticket", Usage: usageAttach, Summary: "give an escalation raised without a ticket its ticket (also: /tag <ticket> <E-n>)",
					Handler: commands.HandlerFunc(c.attachTicket)},
			}},
		{Name: "ack", FreeText: 1, Usage: ackTransition.usage, Summary: "acknowledge an escalation (it-lead or admin)", Role: record.RoleITLead, Doing: "acknowledge escalations",
			Atomic: true, Handler: ack, Example: ackTransition.example},
		{Name: "resolve", FreeText: 1, Usage: resolveTransition.usage, Summary: "resolve an escalation (it-lead or admin)", Role: record.RoleITLead, Doing: "resolve escalations",
			Atomic: true, Handler: resolve, Example: resolveTransition.example},
	},
		commands.Definition{Name: commands.ActionAck, Role: record.RoleITLead, Doing: "acknowledge escalations", Atomic: true, Handler: ack},
		commands.Definition{Name: commands.ActionResolve, Role: record.RoleITLead, Doing: "resolve escalations", Atomic: true, Handler: resolve},
		commands.Definition{Name: ActionListMore, Handler: commands.HandlerFunc(c.escalationList)},
		commands.Definition{Name: ActionSnooze, Role: record.RoleITLead, Doing: "snooze escalations", Atomic: true, Handler: commands.HandlerFunc(c.snooze)},
	)
	c.registerForm()
	c.registerEntries(ack, resolve)
	c.registerCardForms()
	return c
}

// noEscalation refuses a number that names no escalation of the workspace.
func noEscalation(n int64) error {
	return commands.Userf("There is no escalation %s in this workspace. See %s.", commands.EscID(n), commands.Code("/escalate list"))
}
