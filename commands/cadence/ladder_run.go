package cadence

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/escalation"

	"github.com/outcomebot/outcomebot/store/record"
)

// The escalation ladder's sender: each due step once, across replicas.

// runLadder sends the due ladder steps of a workspace's open escalations.
func (c *Cadence) runLadder(ctx context.Context, p commands.Poster, ws string, now time.Time, o DueOptions) error {
	open, err := c.store.ListEscalations(ctx, ws, record.EscalationFilter{OpenOnly: true, Limit: 10000})
	if err != nil {
		return fmt.Errorf("ladder in %s: %w", ws, err)
	}
	if len(open) == 0 {
		return nil
	}
	// One read of the outcomes for the whole pass, not one per escalation.
	outcomes, err := c.store.ListOutcomes(ctx, ws)
	if err != nil {
		return fmt.Errorf("ladder in %s: %w", ws, err)
	}
	byKey := make(map[string]record.Outcome, len(outcomes))
	for _, oc := range outcomes {
		byKey[oc.Key] = oc
	}
	subs := &subscriptionsOnce{c: c, ws: ws}
	var errs []error
	for _, e := range open {
		if e.State != record.StateOpen {
			continue
		}
		oc, ok := byKey[e.Outcome]
		if !ok {
			oc = record.Outcome{Key: e.Outcome, Title: e.Outcome}
		}
		oc.SLA = commands.EscalationSLA(oc, c.cfg.AckSLA) // the messages name the SLA in force
		step := DueStepIn(e, oc.SLA, c.core.HoursFor(oc), now)
		if step == StepNone {
			continue
		}
		if err := c.sendStep(ctx, p, ws, e, oc, step, now, o, subs); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// subscriptionsOnce reads a workspace's subscriptions on first use only:
// most passes raise nothing to leadership.
type subscriptionsOnce struct {
	c    *Cadence
	ws   string
	read bool
	subs []record.Subscription
	err  error
}

func (s *subscriptionsOnce) get(ctx context.Context) ([]record.Subscription, error) {
	if !s.read {
		s.subs, s.err = s.c.store.ListSubscriptions(ctx, s.ws)
		s.read = true
	}
	return s.subs, s.err
}

// sendStep claims a ladder step and posts it where it belongs. The claim
// records the step on the escalation before posting, so a step is sent at
// most once across replicas. A post that failed everywhere for a reason
// that may pass (not opts.Permanent) gives the claim back, so a later pass
// sends it again, up to opts.LadderRetries times; one that reached some
// channels, or can never succeed, is logged and reported as lost.
func (c *Cadence) sendStep(ctx context.Context, p commands.Poster, ws string, e record.Escalation, o record.Outcome, step LadderStep, now time.Time, opts DueOptions, subs *subscriptionsOnce) error {
	e, claimed, err := c.store.ClaimReminder(ctx, ws, e.N, int(step), now)
	if err != nil || !claimed {
		return err
	}
	channels, fallback, err := stepChannels(ctx, e, o, step, subs)
	if err != nil {
		// Without the subscriptions the raise would go to the wrong place:
		// give the step back for the next pass.
		return c.stepNotSent(ctx, ws, e.N, step, now, opts, 0, true, fmt.Errorf("send %s step %d: read subscriptions: %w", commands.EscID(e.N), step, err))
	}
	msg := LadderMessageIn(e, o, step, c.core.HoursFor(o), now.In(c.cfg.DefaultTZ), c.cfg.TicketLinks.URL) // times as on the card
	if fallback {
		msg.Text = raisedNowhere(o.Key) + strings.TrimPrefix(msg.Text, raisedPrefix) +
			" An admin can run " + commands.Code("/digest subscribe outcomes="+o.Key) + " in the leadership channel so the next one goes there."
	}
	var errs []error
	sent, transient := 0, true
	for _, ch := range channels {
		to := commands.Destination{Workspace: ws, Channel: ch}
		if step == StepRemind && ch == e.CardChannel {
			to.Thread = e.CardID
		}
		ref, err := p.Post(ctx, to, msg)
		if err != nil {
			errs = append(errs, fmt.Errorf("send %s step %d to %s: %w", commands.EscID(e.N), step, ch, err))
			transient = transient && !opts.Permanent(err)
			continue
		}
		sent++
		if step == StepRaise && !fallback {
			// Remembered so acknowledging, resolving or moving it later
			// updates this post too; a failure here loses only that.
			if err := c.store.AddRaisePost(ctx, ws, e.N, ref.Channel, ref.ID); err != nil {
				c.log.Warn("raise post not recorded", "workspace", ws, "escalation", commands.EscID(e.N), "err", err)
			}
		}
	}
	err = errors.Join(errs...)
	if err == nil {
		c.updateCard(ctx, p, ws, e, o, now)
		c.core.EscalationTouched(ws, commands.EscalationPeople(e, o)...)
		c.log.Info("escalation ladder step sent", "workspace", ws, "escalation", commands.EscID(e.N), "step", int(step))
		opts.report(DueEvent{Kind: LadderSent, Workspace: ws, Escalation: e.N})
		return nil
	}
	return c.stepNotSent(ctx, ws, e.N, step, now, opts, sent, transient, err)
}

// stepNotSent handles a claimed step that did not go out everywhere
// because of err. When nothing was sent (sent == 0) and err may pass
// (transient), the claim is given back so a later pass sends the step;
// otherwise, or when giving it back fails or is refused (retries used up),
// it is reported as lost. An escalation acknowledged meanwhile needs the
// step no more: nothing is lost.
func (c *Cadence) stepNotSent(ctx context.Context, ws string, n int64, step LadderStep, now time.Time, opts DueOptions, sent int, transient bool, err error) error {
	if sent == 0 && transient {
		released, rerr := c.releaseStep(ctx, ws, n, step, now, opts)
		switch {
		case rerr == nil && released:
			c.log.Warn("escalation ladder step not posted; it will be sent again", "workspace", ws, "escalation", commands.EscID(n), "step", int(step), "err", err)
			opts.report(DueEvent{Kind: LadderRetrying, Workspace: ws, Escalation: n, Err: err})
			return err
		case errors.Is(rerr, record.ErrNotOpen):
			c.log.Info("escalation ladder step not posted, and no longer needed: acknowledged or resolved meanwhile", "workspace", ws, "escalation", commands.EscID(n), "step", int(step), "err", err)
			return err
		case rerr != nil:
			err = errors.Join(err, rerr)
		}
	}
	c.log.Error("escalation ladder step lost: not posted everywhere and not retried", "workspace", ws, "escalation", commands.EscID(n), "step", int(step), "posted", sent, "err", err)
	opts.report(DueEvent{Kind: LadderFailed, Workspace: ws, Escalation: n, Err: err})
	return err
}

// releaseStep gives a claimed step back so a later pass sends it. The
// pass's context may be ending (shutdown): it is released regardless, so
// another replica sends the step.
func (c *Cadence) releaseStep(ctx context.Context, ws string, n int64, step LadderStep, now time.Time, opts DueOptions) (bool, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return c.store.ReleaseReminder(rctx, ws, n, int(step), opts.LadderRetries, now)
}

// stepChannels: a reminder goes to the IT channel; a raise to every
// leadership channel following the outcome, or, when none does (fallback),
// to the IT channel (the channel it was raised in when there is none).
func stepChannels(ctx context.Context, e record.Escalation, o record.Outcome, step LadderStep, subscriptions *subscriptionsOnce) (channels []string, fallback bool, err error) {
	it := o.ITChannel
	if it == "" {
		it = e.RaisedIn
	}
	if step == StepRemind {
		return []string{it}, false, nil
	}
	subs, err := subscriptions.get(ctx)
	if err != nil {
		return nil, false, err
	}
	for _, s := range subs {
		if follows(s, o.Key) {
			channels = append(channels, s.Channel)
		}
	}
	if len(channels) == 0 {
		return []string{it}, true, nil
	}
	return channels, false, nil
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

// updateCard re-renders the escalation's card in place once a ladder step
// went out, so it reads "Overdue by 2h" without anyone opening the thread.
// A card that cannot be updated is logged: the step itself was sent.
func (c *Cadence) updateCard(ctx context.Context, p commands.Poster, ws string, e record.Escalation, o record.Outcome, now time.Time) {
	if e.CardID == "" {
		return
	}
	card := escalation.RenderCard(c.core, e, o, now)
	if err := p.Update(ctx, commands.MessageRef{Channel: e.CardChannel, ID: e.CardID}, ws, card); err != nil {
		c.log.Warn("escalation card not updated after a ladder step", "workspace", ws, "escalation", commands.EscID(e.N), "err", err)
	}
}
