package escalation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// ITSMChanged builds the messages for escalation n of workspace ws after
// an intake item closed its ticket (change record.EscalationResolved) or
// reopened it (record.EscalationReopened) at `at`: exactly what /resolve
// and /escalate reopen send (the card updated in place, the raiser and
// everyone waiting told, the leadership posts kept current). The change
// itself was made in the intake's own atomic step; this only reads E-n and
// its outcome. An escalation that is gone since builds nothing.
func (c *Escalations) ITSMChanged(ctx context.Context, ws string, n int64, change string, at time.Time) ([]commands.Outgoing, error) {
	e, err := c.store.GetEscalation(ctx, ws, n)
	if errors.Is(err, record.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("after the ITSM %s E-%d: %w", change, n, err)
	}
	o, err := c.store.GetOutcome(ctx, ws, e.Outcome)
	if err != nil && !errors.Is(err, record.ErrNotFound) {
		return nil, fmt.Errorf("after the ITSM %s E-%d: %w", change, n, err)
	}
	req := commands.Request{Workspace: ws, Time: at}
	switch change {
	case record.EscalationResolved:
		if e.State != record.StateResolved {
			return nil, nil // reopened since: its own change told everyone
		}
		req.User = e.ResolvedBy
		c.core.ObserveEscalation(commands.EscalationResolved, e)
		return c.transitionDone(req, resolveTransition, e, o, true).Outgoing, nil
	case record.EscalationReopened:
		if e.State == record.StateResolved {
			return nil, nil
		}
		req.User = e.ReopenedBy
		what := fmt.Sprintf("%s reopened %s", commands.ActorText(e.ReopenedBy), commands.Bold(commands.EscID(n)))
		if e.ReopenNote != "" {
			what += ": " + e.ReopenNote
		}
		return c.changed(req, e, o, what, "").Outgoing, nil
	}
	return nil, fmt.Errorf("after the ITSM changed E-%d: unknown change %q", n, change)
}
