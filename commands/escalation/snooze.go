package escalation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

const usageSnooze = "/escalate snooze <E-n> 1h|4h|morning|<duration up to 7d>"

// ActionSnooze is the Snooze buttons on a reminder: value "<E-n> <for>".
const ActionSnooze = "snooze"

// maxSnooze is the longest snooze.
const maxSnooze = 7 * 24 * time.Hour

// snooze pauses an escalation's reminders and raise until a time (its
// assignee, its IT owner, an it-lead or an admin): 1h, 4h, "morning" (the
// next opening of its business hours; round the clock, the next weekday at
// 09:00 in the bot's zone) or a duration up to 7 days. The
// card shows it; it still counts everywhere, the digest included.
func (c *Escalations) snooze(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	id, ok := args.Word(0)
	span, ok2 := args.Word(1)
	if !ok || !ok2 || len(args.Words) > 2 {
		return commands.Response{}, commands.Userf("Usage: %s", commands.Code(usageSnooze))
	}
	n, err := commands.ParseEscalationID(id.Text)
	if err != nil {
		return commands.Response{}, err
	}
	until, err := snoozeUntil(span.Text, req.Time.In(c.cfg.DefaultTZ))
	if err != nil {
		return commands.Response{}, err
	}
	if strings.EqualFold(span.Text, "morning") {
		if open := c.nextOpening(ctx, req.Workspace, n, req.Time); !open.IsZero() {
			until = open
		}
	}
	e, o, err := c.store.Snooze(ctx, req.Workspace, n, req.User, until, req.Time, req.Need)
	switch {
	case errors.Is(err, record.ErrForbidden):
		return commands.Response{}, c.core.Forbidden(ctx, req, "snooze escalations (or own the outcome in IT)", record.RoleITLead)
	case errors.Is(err, record.ErrNotFound):
		return commands.Response{}, noEscalation(n)
	case errors.Is(err, record.ErrResolved):
		return commands.Response{}, commands.Userf("%s is resolved; there is nothing to snooze.", commands.EscID(n))
	case err != nil:
		return commands.Response{}, err
	}
	when := commands.Time(until, commands.TimeDateTime, c.cfg.DefaultTZ)
	return c.changed(req, e, o, fmt.Sprintf("%s snoozed %s until %s", commands.Mention(req.User), commands.Bold(commands.EscID(n)), when),
		fmt.Sprintf("%s snoozed until %s: no reminder or raise before then.", commands.Bold(commands.EscID(n)), when)), nil
}

// nextOpening is the next business morning of escalation n: the next
// opening of its outcome's business hours, or the zero time when it runs
// round the clock (then "morning" is the next weekday at 09:00). An
// escalation or outcome that cannot be read leaves it to the snooze itself
// to answer.
func (c *Escalations) nextOpening(ctx context.Context, ws string, n int64, now time.Time) time.Time {
	e, err := c.store.GetEscalation(ctx, ws, n)
	if err != nil {
		return c.cfg.BusinessHours.NextOpening(now)
	}
	o, err := c.store.GetOutcome(ctx, ws, e.Outcome)
	if err != nil {
		o = record.Outcome{Key: e.Outcome}
	}
	return c.core.HoursFor(o).NextOpening(now)
}

// snoozeUntil reads how long to snooze from now (in the bot's zone).
func snoozeUntil(s string, now time.Time) (time.Time, error) {
	if strings.EqualFold(s, "morning") {
		d := now.AddDate(0, 0, 1)
		for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			d = d.AddDate(0, 0, 1)
		}
		return time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, now.Location()), nil
	}
	d, err := time.ParseDuration(strings.ToLower(s))
	if strings.HasSuffix(strings.ToLower(s), "d") {
		days, derr := time.ParseDuration(strings.TrimSuffix(strings.ToLower(s), "d") + "h")
		d, err = 24*days, derr
	}
	switch {
	case err != nil:
		return time.Time{}, commands.Userf("`%s` is not a time to snooze for: use 1h, 4h, morning or a duration like 2d.", commands.Clip(s, 20))
	case d <= 0:
		return time.Time{}, commands.Userf("A snooze must end in the future.")
	case d > maxSnooze:
		return time.Time{}, commands.Userf("A snooze lasts at most 7 days; resolve or reassign it instead.")
	}
	return now.Add(d), nil
}
