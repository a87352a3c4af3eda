package cadence

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/outcome"
	"github.com/outcomebot/outcomebot/store/record"
)

// The weekly check-in: on the digest's day each business owner gets one
// direct message listing their active outcomes, asking for this week's KPI
// value (/outcome kpi) and whether each is still a priority (Yes / Archive
// buttons, handled by the outcome leaf). It is sent once per owner and
// week, however many replicas run the cadence pass: each owner's week is
// claimed in the store first.

// checkInLease is how long a claimed check-in keeps other replicas off
// while it is sent; checkInRetry is how long after a failed post the next
// attempt waits.
const (
	checkInLease = 5 * time.Minute
	checkInRetry = 10 * time.Minute
)

// maxCheckInButtons is how many outcomes of one check-in get Yes / Archive
// buttons (two each: Slack takes 25 elements in one actions block); the
// rest say which command confirms them.
const maxCheckInButtons = 10

// runCheckIns sends this week's check-ins of each workspace in wss (those
// with a leadership channel: the check-in feeds the digest) once the
// digest's slot of this week, in the default zone, has passed.
func (c *Cadence) runCheckIns(ctx context.Context, p commands.Poster, wss []string, now time.Time, o DueOptions) error {
	loc := c.cfg.DefaultTZ
	if _, due, err := SlotThisWeek(c.cfg.DigestCron, loc, now); err != nil || !due {
		return nil // a bad schedule is reported by the digests
	}
	var errs []error
	for _, ws := range wss {
		if ctx.Err() != nil {
			break
		}
		errs = append(errs, c.runWorkspaceCheckIns(ctx, p, ws, now, o))
	}
	return errors.Join(errs...)
}

// runWorkspaceCheckIns sends ws's check-ins of now's week not yet sent.
func (c *Cadence) runWorkspaceCheckIns(ctx context.Context, p commands.Poster, ws string, now time.Time, o DueOptions) error {
	loc := c.cfg.DefaultTZ
	week := WeekOf(now.In(loc))
	if o.State.is(checkInWeeks, ws, "", week) {
		return nil
	}
	all, err := c.store.ListOutcomes(ctx, ws)
	if err != nil {
		return fmt.Errorf("check-ins in %s: %w", ws, err)
	}
	byOwner := map[string][]record.Outcome{}
	var keys []string
	for _, oc := range all {
		if oc.Status != record.OutcomeArchived && oc.Owner != "" {
			byOwner[oc.Owner] = append(byOwner[oc.Owner], oc)
			keys = append(keys, oc.Key)
		}
	}
	kpis, err := c.store.OutcomeKPIs(ctx, ws, keys, now) // the latest value of each
	if err != nil {
		return fmt.Errorf("check-ins in %s: %w", ws, err)
	}
	owners := make([]string, 0, len(byOwner))
	for owner := range byOwner {
		owners = append(owners, owner)
	}
	sort.Strings(owners)
	settled := true
	var errs []error
	for _, owner := range owners {
		ok, err := c.sendCheckIn(ctx, p, ws, week, owner, byOwner[owner], kpis, now, o)
		settled = settled && ok
		if err != nil {
			errs = append(errs, err)
		}
	}
	if settled {
		o.State.set(checkInWeeks, ws, "", week)
	}
	return errors.Join(errs...)
}

// sendCheckIn claims and sends one owner's check-in; settled is true when
// it went out, now or before.
func (c *Cadence) sendCheckIn(ctx context.Context, p commands.Poster, ws, week, owner string, outcomes []record.Outcome, kpis map[string]record.OutcomeKPI, now time.Time, o DueOptions) (settled bool, err error) {
	claim, err := c.store.ClaimCheckIn(ctx, ws, week, owner, o.Holder, checkInLease, now)
	switch {
	case err != nil:
		return false, fmt.Errorf("check-in %s for %s in %s: %w", week, owner, ws, err)
	case claim == record.CheckInSent:
		return true, nil
	case claim != record.CheckInClaimed:
		return false, nil
	}
	msg := c.checkInMessage(outcomes, kpis, now)
	_, err = commands.PostDirect(ctx, p, ws, owner, msg)
	if err != nil && o.Permanent(err) {
		// The platform will refuse it however often it is tried (the user
		// left, the bot cannot message them): this week's is given up.
		c.log.Warn("weekly check-in undeliverable; not retried this week", "workspace", ws, "user", owner, "week", week, "err", err)
		if merr := c.store.MarkCheckInSent(context.WithoutCancel(ctx), ws, week, owner); merr != nil {
			return false, fmt.Errorf("check-in %s for %s in %s: %w", week, owner, ws, errors.Join(err, merr))
		}
		return true, fmt.Errorf("check-in %s for %s in %s: %w", week, owner, ws, err)
	}
	if err != nil {
		c.log.Warn("weekly check-in not sent; retrying later", "workspace", ws, "user", owner, "week", week, "retry_in", checkInRetry.String(), "err", err)
		if ferr := c.store.FailCheckIn(context.WithoutCancel(ctx), ws, week, owner, o.Holder, now.Add(checkInRetry)); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return false, fmt.Errorf("check-in %s for %s in %s: %w", week, owner, ws, err)
	}
	if err := c.store.MarkCheckInSent(context.WithoutCancel(ctx), ws, week, owner); err != nil {
		c.log.Error("check-in sent but not recorded: it may be sent again when the claim lapses", "workspace", ws, "user", owner, "week", week, "err", err)
		return false, fmt.Errorf("check-in %s for %s in %s: record: %w", week, owner, ws, err)
	}
	c.log.Info("weekly check-in sent", "workspace", ws, "user", owner, "week", week, "outcomes", len(outcomes))
	return true, nil
}

// checkInMessage is one owner's check-in: each outcome with its KPI's
// latest value and last confirmation, how to record this week's value, and
// "Still a priority?" with Yes / Archive buttons.
func (c *Cadence) checkInMessage(outcomes []record.Outcome, kpis map[string]record.OutcomeKPI, now time.Time) commands.Response {
	loc := c.cfg.DefaultTZ
	day := func(t time.Time) string { return t.In(loc).Format("2 Jan 2006") }
	example := "3.5%"
	if v, ok := kpis[outcomes[0].Key].Latest(); ok {
		example = commands.Clip(v.Text(), 40) // in the unit its values are in
	}
	msg := commands.Response{
		Visibility: commands.InChannel,
		Title:      "Weekly check-in · your outcomes",
		Text: "You are the business owner of " + commands.CountNoun(len(outcomes), "outcome", "outcomes") + ". " +
			"Record this week's value of each KPI with " + commands.Code("/outcome kpi <key> <value>") +
			" (e.g. " + commands.Code("/outcome kpi "+outcomes[0].Key+" "+example) + "), and say whether each is still a priority: " +
			"Yes keeps it as it is; Archive retires it. The leadership digest flags an outcome not confirmed for four weeks as stale.",
	}
	for i, oc := range outcomes {
		k := kpis[oc.Key]
		value := "no value recorded yet"
		if v, ok := k.Latest(); ok {
			value = "latest " + commands.Clip(v.Text(), 40) + " (" + day(v.At) + ")"
		}
		kpi := "KPI"
		if oc.KPI != "" {
			kpi = "KPI: " + commands.Clip(oc.KPI, commands.MaxKPIRunes)
		}
		confirmed := "never confirmed"
		if !k.ConfirmedAt.IsZero() {
			confirmed = "last confirmed " + day(k.ConfirmedAt)
		}
		ask := "Still a priority? (" + confirmed + ")"
		if i >= maxCheckInButtons {
			ask += " Confirm with " + commands.Code("/outcome confirm "+oc.Key) + "."
		}
		msg.Sections = append(msg.Sections, commands.Section{
			Title: commands.Clip(oc.Title, commands.MaxTitleRunes) + " (" + oc.Key + ")",
			Text: kpi + " · " + value + "\nRecord this week's value: " + commands.Code("/outcome kpi "+oc.Key+" <value>") +
				"\n" + ask,
		})
		if i < maxCheckInButtons {
			msg.Buttons = append(msg.Buttons,
				commands.Button{Label: "Yes: " + oc.Key, Action: outcome.ActionConfirm, Value: oc.Key, Style: commands.StylePrimary},
				commands.Button{Label: "Archive " + oc.Key, Action: outcome.ActionArchive, Value: oc.Key, Style: commands.StyleDanger})
		}
	}
	msg.Context = "Sent on the digest's day, " + day(now) + "; the buttons answer for the outcome they name."
	return msg
}

// outcomeKeys lists the outcomes' keys.
func outcomeKeys(os []record.Outcome) []string {
	keys := make([]string, len(os))
	for i, o := range os {
		keys[i] = o.Key
	}
	return keys
}
