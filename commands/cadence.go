package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/robfig/cron/v3"
)

// LateAfter is how long after its slot a digest counts as late.
const LateAfter = 15 * time.Minute

// WeekOf names the ISO week of t in its location, e.g. "2026-W48".
func WeekOf(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// SlotThisWeek returns the latest scheduled digest time at or before now
// within now's ISO week in loc; ok is false when this week's slot is still
// ahead. Only this week counts: a missed slot of last week is never due.
func SlotThisWeek(spec string, loc *time.Location, now time.Time) (slot time.Time, ok bool, err error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("parse digest schedule %q: %w", spec, err)
	}
	local := now.In(loc)
	wd := (int(local.Weekday()) + 6) % 7 // Monday = 0
	y, m, d := local.Date()
	weekStart := time.Date(y, m, d-wd, 0, 0, 0, 0, loc)
	for t := sched.Next(weekStart.Add(-time.Second)); !t.After(local) && WeekOf(t) == WeekOf(local); t = sched.Next(t) {
		slot, ok = t, true
	}
	return slot, ok, nil
}

// RunDue sends everything due at now in every workspace through p: ladder
// steps of open escalations and this week's digests not yet posted. Each is
// claimed in the store first, so however many replicas run it, each is sent
// once. holder names this process in digest claims.
func (c *Core) RunDue(ctx context.Context, p Poster, now time.Time, holder string) error {
	wss, err := c.store.Workspaces(ctx)
	if err != nil {
		return fmt.Errorf("list workspaces: %w", err)
	}
	var errs []error
	for _, ws := range wss {
		if err := c.runLadder(ctx, p, ws, now); err != nil {
			errs = append(errs, err)
		}
		if err := c.runDigests(ctx, p, ws, now, holder); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c *Core) runLadder(ctx context.Context, p Poster, ws string, now time.Time) error {
	open, err := c.store.ListEscalations(ctx, ws, store.EscalationFilter{OpenOnly: true, Limit: 10000})
	if err != nil {
		return fmt.Errorf("ladder in %s: %w", ws, err)
	}
	var errs []error
	for _, e := range open {
		if e.State != store.StateOpen {
			continue
		}
		o, err := c.store.GetOutcome(ctx, ws, e.Outcome)
		if err != nil {
			o = store.Outcome{Key: e.Outcome, Title: e.Outcome}
		}
		step := DueStep(e, EscalationSLA(o, c.cfg.AckSLA), now)
		if step == StepNone {
			continue
		}
		if err := c.sendStep(ctx, p, ws, e, o, step, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sendStep claims a ladder step and posts it where it belongs.
func (c *Core) sendStep(ctx context.Context, p Poster, ws string, e store.Escalation, o store.Outcome, step LadderStep, now time.Time) error {
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
	c.log.Info("escalation ladder step sent", "workspace", ws, "escalation", escID(e.N), "step", int(step))
	return errors.Join(errs...)
}

// stepChannels: a reminder goes to the IT channel; a raise to every
// leadership channel following the outcome (the IT channel when none does).
func (c *Core) stepChannels(ctx context.Context, ws string, e store.Escalation, o store.Outcome, step LadderStep) []string {
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

func follows(s store.Subscription, key string) bool {
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

func (c *Core) runDigests(ctx context.Context, p Poster, ws string, now time.Time, holder string) error {
	subs, err := c.store.ListSubscriptions(ctx, ws)
	if err != nil {
		return fmt.Errorf("digests in %s: %w", ws, err)
	}
	var errs []error
	for _, s := range subs {
		loc := c.location(s.TZ)
		slot, due, err := SlotThisWeek(c.cfg.DigestCron, loc, now)
		if err != nil {
			return err
		}
		if !due {
			continue
		}
		if err := c.SendDigest(ctx, p, ws, s.Channel, now, DigestInput{Late: now.Sub(slot) > LateAfter}, holder); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// SendDigest posts a channel's digest for now's week once: claim, post the
// lead and its thread, record. A manual post (marks.Manual) skips the claim
// and never replaces the scheduled one.
func (c *Core) SendDigest(ctx context.Context, p Poster, ws, channel string, now time.Time, marks DigestInput, holder string) error {
	sub, err := c.store.GetSubscription(ctx, ws, channel)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	week := WeekOf(now.In(c.location(sub.TZ)))
	if !marks.Manual {
		ok, err := c.store.ClaimDigest(ctx, ws, channel, week, holder, 5*time.Minute)
		if err != nil || !ok {
			return err
		}
	}
	msg, err := c.digestFor(ctx, ws, channel, now, marks)
	if err == nil {
		var ref MessageRef
		ref, err = PostThreaded(ctx, p, Destination{Workspace: ws, Channel: channel}, msg)
		if err == nil {
			err = c.store.RecordDigest(ctx, ws, channel, store.DigestPost{Week: week, At: now, MessageID: ref.ID, Late: marks.Late, Manual: marks.Manual})
		}
	}
	if err != nil {
		if !marks.Manual {
			_ = c.store.ReleaseDigest(ctx, ws, channel, week, holder)
		}
		return fmt.Errorf("digest for %s in %s: %w", channel, ws, err)
	}
	c.log.Info("digest posted", "workspace", ws, "channel", channel, "week", week, "late", marks.Late, "manual", marks.Manual)
	return nil
}

// PostThreaded posts msg and then its Thread responses as replies under it.
func PostThreaded(ctx context.Context, p Poster, to Destination, msg Response) (MessageRef, error) {
	thread := msg.Thread
	msg.Thread = nil
	ref, err := p.Post(ctx, to, msg)
	if err != nil {
		return ref, err
	}
	for _, part := range thread {
		sub := to
		sub.Thread = ref.ID
		if _, err := p.Post(ctx, sub, part); err != nil {
			return ref, fmt.Errorf("post digest detail: %w", err)
		}
	}
	return ref, nil
}
