package cadence

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/digest"

	"github.com/outcomebot/outcomebot/store/record"
)

// Sending one channel's digest once: claim, post, record, and what happens
// when posting fails.

// runDigestJobSafely is runDigestJob with a panic (a Poster or renderer
// bug) turned into an error: a worker goroutine's panic would otherwise
// kill the process, out of reach of the scheduler's recovery. The claim,
// if taken, stays until its lease ends; then a later pass retries.
func (c *Cadence) runDigestJobSafely(ctx context.Context, p commands.Poster, now time.Time, j digestJob, o DueOptions) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("digest panicked", "workspace", j.ws, "channel", j.sub.Channel, "week", j.week,
				"panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("digest %s for %s in %s panicked: %v", j.week, j.sub.Channel, j.ws, r)
			o.report(DueEvent{Kind: DigestPanicked, Workspace: j.ws, Channel: j.sub.Channel, Week: j.week, Err: err})
		}
	}()
	return c.runDigestJob(ctx, p, now, j, o)
}

// runDigestJob counts last week's miss, if any, and sends this week's
// digest if it is due and not known to be posted.
func (c *Cadence) runDigestJob(ctx context.Context, p commands.Poster, now time.Time, j digestJob, o DueOptions) error {
	err := c.checkMissed(ctx, j, o)
	if !j.due || o.State.is(postedWeeks, j.ws, j.sub.Channel, j.week) {
		return err
	}
	marks := digest.Input{Late: now.Sub(j.slot) > LateAfter}
	// As of the week's run, even when a later slot of the week is the one
	// due (the channel subscribed after the run, or the bot was down), so
	// consecutive digests count windows that tile.
	return errors.Join(err, c.sendScheduled(ctx, p, j.ws, j.sub, j.week, j.run, now, marks, o))
}

// checkMissed counts last week's digest as missed, once across replicas,
// when the channel was owed one and it was never recorded.
func (c *Cadence) checkMissed(ctx context.Context, j digestJob, o DueOptions) error {
	ch := j.sub.Channel
	if !j.owed || o.State.is(checkedWeeks, j.ws, ch, j.prev) {
		return nil
	}
	first, err := c.store.MarkDigestMissed(ctx, j.ws, ch, j.prev)
	if err != nil {
		return fmt.Errorf("check digest %s for %s in %s: %w", j.prev, ch, j.ws, err)
	}
	o.State.set(checkedWeeks, j.ws, ch, j.prev)
	if first {
		c.log.Warn("weekly digest missed: not posted now, its numbers are stale",
			"workspace", j.ws, "channel", ch, "week", j.prev)
		o.report(DueEvent{Kind: DigestMissed, Workspace: j.ws, Channel: ch, Week: j.prev})
	}
	return nil
}

// sendScheduled posts a channel's digest for week once: claim, build as of
// `asOf`, post the lead, record it, then post its thread. A failed lead is
// recorded with a backoff (and the subscriber told when it keeps failing or
// cannot succeed); a lead that went out is never posted again, even when
// its thread fails.
func (c *Cadence) sendScheduled(ctx context.Context, p commands.Poster, ws string, sub record.Subscription, week string, asOf, now time.Time, marks digest.Input, o DueOptions) error {
	ch := sub.Channel
	op := fmt.Sprintf("digest %s for %s in %s", week, ch, ws)
	claim, err := c.store.ClaimDigestAt(ctx, ws, ch, week, o.Holder, o.Lease, now)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch claim {
	case record.DigestAlreadyPosted:
		o.State.set(postedWeeks, ws, ch, week)
		return nil
	case record.DigestClaimed:
	default:
		return nil
	}
	detached := context.WithoutCancel(ctx) // settle the claim even when ctx ends
	leaseCtx, cancel := context.WithTimeout(ctx, o.Lease-o.Lease/10)
	defer cancel()
	to := commands.Destination{Workspace: ws, Channel: ch}
	msg, err := c.digestWith(leaseCtx, o.reads, ws, ch, asOf, marks)
	var ref commands.MessageRef
	if err == nil {
		lead := msg
		lead.Thread = nil
		ref, err = p.Post(leaseCtx, to, lead)
		if err != nil && ctx.Err() == nil {
			return c.digestFailed(detached, p, ws, sub, week, now, err, o)
		}
	}
	if err != nil { // the store failed, or we are shutting down: let the next pass retry
		_ = c.store.ReleaseDigest(detached, ws, ch, week, o.Holder)
		return fmt.Errorf("%s: %w", op, err)
	}
	post := record.DigestPost{Week: week, At: now, MessageID: ref.ID, Late: marks.Late}
	if err := c.recordPost(detached, ws, ch, post, o.Lease); err != nil {
		// Posted but not recorded: the claim stays until its lease ends.
		c.log.Error("digest posted but not recorded: it may be posted again when the claim lapses",
			"workspace", ws, "channel", ch, "week", week, "message", ref.ID, "err", err)
		return fmt.Errorf("%s: record: %w", op, err)
	}
	o.State.set(postedWeeks, ws, ch, week)
	kind := DigestPosted
	if marks.Late {
		kind = DigestPostedLate
	}
	o.report(DueEvent{Kind: kind, Workspace: ws, Channel: ch, Week: week})
	c.log.Info("digest posted", "workspace", ws, "channel", ch, "week", week, "late", marks.Late, "message", ref.ID)
	if err := commands.PostThread(ctx, p, to, ref, msg.Thread); err != nil {
		c.log.Warn("digest detail not posted", "workspace", ws, "channel", ch, "week", week, "err", err)
		o.report(DueEvent{Kind: DigestDetailFailed, Workspace: ws, Channel: ch, Week: week, Err: err})
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// recordPost records a posted digest, retrying while Redis is unavailable
// for up to half the lease: an unrecorded post could be repeated.
func (c *Cadence) recordPost(ctx context.Context, ws, ch string, post record.DigestPost, lease time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, lease/2)
	defer cancel()
	wait := 50 * time.Millisecond
	for {
		err := c.store.RecordDigest(ctx, ws, ch, post)
		if err == nil || !errors.Is(err, record.ErrUnavailable) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// digestFailed records a failed post with its backoff, tells the
// subscriber when it is permanent or keeps failing, and returns the error.
func (c *Cadence) digestFailed(ctx context.Context, p commands.Poster, ws string, sub record.Subscription, week string, now time.Time, postErr error, o DueOptions) error {
	ch := sub.Channel
	permanent := o.Permanent(postErr)
	base := o.RetryBase
	if permanent {
		base = o.RetryMax
	}
	f, err := c.store.FailDigest(ctx, ws, ch, week, o.Holder, now, base, o.RetryMax)
	if err != nil {
		_ = c.store.ReleaseDigest(ctx, ws, ch, week, o.Holder)
		return fmt.Errorf("digest %s for %s in %s: %w", week, ch, ws, errors.Join(postErr, err))
	}
	ref := commands.ErrorRef()
	c.log.Warn("digest not posted; retrying later this week", "workspace", ws, "channel", ch, "week", week,
		"attempts", f.Attempts, "permanent", permanent, "retry_at", f.RetryAt, "ref", ref, "err", postErr)
	o.report(DueEvent{Kind: DigestFailed, Workspace: ws, Channel: ch, Week: week, Attempts: f.Attempts, Permanent: permanent, Err: postErr})
	if permanent || f.Attempts >= o.NotifyAfter {
		c.tellSubscriber(ctx, p, ws, sub, week, permanent, f.Attempts, ref, o)
	}
	return fmt.Errorf("digest %s for %s in %s (attempt %d): %w", week, ch, ws, f.Attempts, postErr)
}

// tellSubscriber tells the admin who subscribed the channel, once per
// channel per week, that its digest is failing: by direct message when the
// Poster can (commands.DirectPoster), else by posting to the user id.
func (c *Cadence) tellSubscriber(ctx context.Context, p commands.Poster, ws string, sub record.Subscription, week string, permanent bool, attempts int, ref string, o DueOptions) {
	ch := sub.Channel
	if sub.By == "" {
		return
	}
	first, err := c.store.ClaimDigestNotice(ctx, ws, ch, week)
	if err != nil || !first {
		return
	}
	msg := commands.Response{Visibility: commands.InChannel, Text: failureNotice(ch, permanent, attempts, o.RetryMax, ref)}
	if _, err = commands.PostDirect(ctx, p, ws, sub.By, msg); err != nil {
		c.log.Warn("could not tell the subscriber their digest is failing", "workspace", ws, "channel", ch, "user", sub.By, "err", err)
		return
	}
	o.report(DueEvent{Kind: DigestSubscriberTold, Workspace: ws, Channel: ch, Week: week})
}

// failureNotice is the text of the subscriber's notice: no raw error text,
// only a reference to the logged one.
func failureNotice(ch string, permanent bool, attempts int, retryMax time.Duration, ref string) string {
	if permanent {
		return fmt.Sprintf("This week's outcome digest could not be posted in %s: the channel refuses the bot's messages "+
			"(the bot may have been removed, or the channel archived). Invite the bot back to the channel, or run %s there. "+
			"The bot tries again every %s until the end of the week (ref %s).",
			commands.ChannelLink(ch), commands.Code("/digest unsubscribe"), commands.DurationText(retryMax), ref)
	}
	return fmt.Sprintf("This week's outcome digest for %s has failed %d times: the chat platform is rate limiting the bot or unavailable. "+
		"The bot keeps retrying until the end of the week; nothing to do unless it stays this way (ref %s).",
		commands.ChannelLink(ch), attempts, ref)
}

// SendDigest posts a channel's digest for now's week once: claim, post the
// lead and its thread, record (see sendScheduled; it uses the default
// DueOptions with holder). A manual post (marks.Manual) skips the claim and
// never replaces the scheduled one.
func (c *Cadence) SendDigest(ctx context.Context, p commands.Poster, ws, channel string, now time.Time, marks digest.Input, holder string) error {
	if marks.Manual {
		return c.sendManual(ctx, p, ws, channel, now, marks)
	}
	sub, err := c.store.GetSubscription(ctx, ws, channel)
	if err != nil && !errors.Is(err, record.ErrNotFound) {
		return fmt.Errorf("digest for %s in %s: %w", channel, ws, err)
	}
	sub.Channel = channel
	week := WeekOf(now.In(c.location(sub.TZ)))
	return c.sendScheduled(ctx, p, ws, sub, week, now, now, marks, DueOptions{Holder: holder}.withDefaults())
}

// sendManual posts a digest asked for by hand: no claim, recorded only as
// the channel's last post, so the week's scheduled digest still goes out.
func (c *Cadence) sendManual(ctx context.Context, p commands.Poster, ws, channel string, now time.Time, marks digest.Input) error {
	msg, err := c.digestFor(ctx, ws, channel, now, marks)
	if err != nil {
		return fmt.Errorf("manual digest for %s in %s: %w", channel, ws, err)
	}
	ref, err := commands.PostThreaded(ctx, p, commands.Destination{Workspace: ws, Channel: channel}, msg)
	if err != nil && ref.ID == "" {
		return fmt.Errorf("manual digest for %s in %s: %w", channel, ws, err)
	}
	sub, _ := c.store.GetSubscription(ctx, ws, channel)
	week := WeekOf(now.In(c.location(sub.TZ)))
	rerr := c.store.RecordDigest(ctx, ws, channel, record.DigestPost{Week: week, At: now, MessageID: ref.ID, Manual: true})
	c.log.Info("manual digest posted", "workspace", ws, "channel", channel, "week", week, "message", ref.ID)
	if err = errors.Join(err, rerr); err != nil {
		return fmt.Errorf("manual digest for %s in %s: %w", channel, ws, err)
	}
	return nil
}

// ChannelDigest builds a channel's digest as of now, as its subscription
// says (all outcomes in the default zone when it has none), without posting
// or recording anything.
func (c *Cadence) ChannelDigest(ctx context.Context, ws, channel string, now time.Time, marks digest.Input) (commands.Response, error) {
	return c.digestFor(ctx, ws, channel, now, marks)
}

// ChannelZone returns the time zone a channel's digest follows.
func (c *Cadence) ChannelZone(sub record.Subscription) *time.Location {
	return c.location(sub.TZ)
}

// digestStatusLines says when the channel's next digest is due, whether
// this week's is still owed, and what was posted last.
func (c *Cadence) digestStatusLines(ctx context.Context, ws string, sub record.Subscription, now time.Time) ([]string, error) {
	loc := c.location(sub.TZ)
	const layout = "Mon 2 Jan 15:04 MST"
	var lines []string
	next, err := NextSlot(c.cfg.DigestCron, loc, now)
	if err != nil {
		lines = append(lines, "The digest schedule is misconfigured ("+commands.Code(c.cfg.DigestCron)+"); tell whoever runs outcomebot.")
	} else {
		lines = append(lines, "Next digest: "+next.In(loc).Format(layout)+" ("+loc.String()+").")
	}
	local := now.In(loc)
	if sched, err := parseSchedule(c.cfg.DigestCron); err == nil {
		if slot, due := latestSlot(weekSlots(sched, loc, local), sub.At, now); due {
			_, err := c.store.DigestPosted(ctx, ws, sub.Channel, WeekOf(local))
			if errors.Is(err, record.ErrNotFound) {
				lines = append(lines, "This week's digest (due "+slot.In(loc).Format(layout)+") has not gone out yet; the bot keeps trying until the end of the week.")
			} else if err != nil {
				return nil, err
			}
		}
	}
	last, err := c.store.LastDigest(ctx, ws, sub.Channel)
	switch {
	case errors.Is(err, record.ErrNotFound):
		lines = append(lines, "No digest has been posted here yet.")
	case err != nil:
		return nil, err
	default:
		var how []string
		if last.Late {
			how = append(how, "late")
		}
		if last.Manual {
			how = append(how, "posted manually")
		}
		if len(how) == 0 {
			how = append(how, "on time")
		}
		lines = append(lines, "Last posted: "+last.At.In(loc).Format(layout)+" (week "+last.Week+", "+strings.Join(how, ", ")+").")
	}
	return lines, nil
}
