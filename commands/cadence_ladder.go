package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// The escalation ladder's sender: each due step once, across replicas.

// runLadder sends the due ladder steps of a workspace's open escalations.
func (c *Core) runLadder(ctx context.Context, p Poster, ws string, now time.Time, o DueOptions) error {
	open, err := c.store.ListEscalations(ctx, ws, record.EscalationFilter{OpenOnly: true, Limit: 10000})
	if err != nil {
		return fmt.Errorf("ladder in %s: %w", ws, err)
	}
	var errs []error
	for _, e := range open {
		if e.State != record.StateOpen {
			continue
		}
		oc, err := c.store.GetOutcome(ctx, ws, e.Outcome)
		if err != nil {
			oc = record.Outcome{Key: e.Outcome, Title: e.Outcome}
		}
		step := DueStep(e, EscalationSLA(oc, c.cfg.AckSLA), now)
		if step == StepNone {
			continue
		}
		if err := c.sendStep(ctx, p, ws, e, oc, step, now, o); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sendStep claims a ladder step and posts it where it belongs. The claim
// records the step on the escalation before posting, so a step is sent at
// most once across replicas; a post that fails is logged and reported, not
// retried.
func (c *Core) sendStep(ctx context.Context, p Poster, ws string, e record.Escalation, o record.Outcome, step LadderStep, now time.Time, opts DueOptions) error {
	e, claimed, err := c.store.ClaimReminder(ctx, ws, e.N, int(step), now)
	if err != nil || !claimed {
		return err
	}
	msg := LadderMessage(e, o, step, now, c.cfg.TicketLinks.URL)
	var errs []error
	for _, ch := range c.stepChannels(ctx, ws, e, o, step) {
		to := Destination{Workspace: ws, Channel: ch}
		if step == StepRemind && ch == e.CardChannel {
			to.Thread = e.CardID
		}
		if _, err := p.Post(ctx, to, msg); err != nil {
			errs = append(errs, fmt.Errorf("send %s step %d to %s: %w", escID(e.N), step, ch, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		c.log.Warn("escalation ladder step not posted everywhere", "workspace", ws, "escalation", escID(e.N), "step", int(step), "err", err)
		opts.report(DueEvent{Kind: LadderFailed, Workspace: ws, Escalation: e.N, Err: err})
		return err
	}
	c.log.Info("escalation ladder step sent", "workspace", ws, "escalation", escID(e.N), "step", int(step))
	opts.report(DueEvent{Kind: LadderSent, Workspace: ws, Escalation: e.N})
	return nil
}

// stepChannels: a reminder goes to the IT channel; a raise to every
// leadership channel following the outcome (the IT channel when none does).
func (c *Core) stepChannels(ctx context.Context, ws string, e record.Escalation, o record.Outcome, step LadderStep) []string {
	it := o.ITChannel
	if it == "" {
		it = e.RaisedIn
	}
	if step == StepRemind {
		return []string{it}
	}
	subs, err := c.store.ListSubscriptions(ctx, ws)
	if err != nil {
		return []string{it}
	}
	var out []string
	for _, s := range subs {
		if follows(s, o.Key) {
			out = append(out, s.Channel)
		}
	}
	if len(out) == 0 {
		out = []string{it}
	}
	return out
}

func follows(s record.Subscription, key string) bool {
	if len(s.Outcomes) == 0 {
		return true
	}
	for _, k := range s.Outcomes {
		if k == key {
			return true
		}
	}
	return false
}
