package triage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"

	"github.com/outcomebot/outcomebot/store/record"
)

// This file is the weekly triage: each outcome's IT channel (or the
// workspace's triage channel) gets the requests received that week that
// are tied to no outcome, each with a menu of the active outcomes.

// Triage limits: how many requests a week's triage lists per channel, how
// many one message holds, and a size budget per message that keeps a Teams
// card (28 KB) and a Slack message (50 blocks) inside their limits whatever
// the number of outcomes in the menus.
const (
	maxTriageItems       = 60
	maxTriageItemsPerMsg = 15
	triageMessageBudget  = 16000
	triageLease          = 5 * time.Minute
)

// Options configure Run.
type Options struct {
	// Cron is the weekly schedule (5-field cron, in the default zone);
	// "" means the digest's (Config.DigestCron). OUTCOMEBOT_TRIAGE_CRON.
	Cron string
	// Holder names this process in claims, so replicas post each week's
	// triage once.
	Holder string
}

// Run posts, through p, the weekly triage of every workspace whose
// slot this week has come (OUTCOMEBOT_TRIAGE_CRON in the default zone, or
// the digest's schedule): to the workspace's triage channel if one is set,
// else to each active outcome's IT channel, the requests received in the 7
// days before now with no outcome, each with an outcome picker. Each
// channel's week is claimed first, so however many replicas run it (and
// however often: a missed slot is caught up within the same week), each
// channel gets one triage a week. A week with nothing untagged posts
// nothing. A failed post is retried on later passes of the week, except
// where the platform refuses the bot for good (IsUndeliverable), which
// skips the week. The scheduler calls it with its fire time, beside RunDue.
func (c *Triage) Run(ctx context.Context, p commands.Poster, now time.Time, opts Options) error {
	spec := opts.Cron
	if spec == "" {
		spec = c.cfg.DigestCron
	}
	slot, due, err := cadence.SlotThisWeek(spec, c.cfg.DefaultTZ, now)
	if err != nil || !due {
		return err
	}
	wss, err := c.store.Workspaces(ctx)
	if err != nil {
		return fmt.Errorf("triage: list workspaces: %w", err)
	}
	var errs []error
	for _, ws := range wss {
		// The week ends at the slot, not at this pass: a pass that catches
		// up late lists the same requests the on-time one would have.
		if err := c.runTriage(ctx, p, ws, slot, opts.Holder); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// runTriage posts one workspace's triage to each of its triage channels.
func (c *Triage) runTriage(ctx context.Context, p commands.Poster, ws string, now time.Time, holder string) error {
	channels, err := c.triageChannels(ctx, ws)
	if err != nil || len(channels) == 0 {
		return err
	}
	week := cadence.WeekOf(now.In(c.cfg.DefaultTZ))
	var errs []error
	for _, ch := range channels {
		ok, err := c.store.ClaimTriage(ctx, ws, ch, week, holder, triageLease)
		if err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		n, lead, err := c.sendTriage(ctx, p, ws, ch, now)
		if err != nil && lead {
			// The first message went out but part of its thread did not:
			// the week counts as posted (posting it all again would list
			// the requests twice).
			c.log.Warn("triage posted without all of its thread", "workspace", ws, "channel", ch, "week", week, "err", err)
			errs = append(errs, fmt.Errorf("triage %s for %s in %s: %w", week, ch, ws, err))
			err = nil
		}
		if err != nil && !commands.IsUndeliverable(err) {
			// Retried on the next pass of the week.
			_ = c.store.ReleaseTriage(ctx, ws, ch, week, holder)
			errs = append(errs, fmt.Errorf("triage %s for %s in %s: %w", week, ch, ws, err))
			continue
		}
		if err != nil {
			// The bot cannot post there (removed, archived): give the week up
			// instead of retrying every pass.
			c.log.Warn("triage undeliverable; skipped this week", "workspace", ws, "channel", ch, "week", week, "err", err)
		}
		if err := c.store.RecordTriage(ctx, ws, ch, week, now); err != nil {
			errs = append(errs, err)
		}
		c.log.Info("triage posted", "workspace", ws, "channel", ch, "week", week, "requests", n)
	}
	return errors.Join(errs...)
}

// triageChannels lists where a workspace's triage goes: its triage channel,
// else the distinct IT channels of its active outcomes, sorted.
func (c *Triage) triageChannels(ctx context.Context, ws string) ([]string, error) {
	set, err := c.store.GetTriageSettings(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("triage channels of %s: %w", ws, err)
	}
	if set.Channel != "" {
		return []string{set.Channel}, nil
	}
	all, err := c.store.ListOutcomes(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("triage channels of %s: %w", ws, err)
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range all {
		if o.Status != record.OutcomeArchived && o.ITChannel != "" && !seen[o.ITChannel] {
			seen[o.ITChannel] = true
			out = append(out, o.ITChannel)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Send posts channel's triage of the week before now (the first
// message, the rest in its thread) and returns how many requests it lists;
// nothing is posted when none is untagged.
func (c *Triage) Send(ctx context.Context, p commands.Poster, ws, channel string, now time.Time) (int, error) {
	n, _, err := c.sendTriage(ctx, p, ws, channel, now)
	return n, err
}

// sendTriage is Send that also says whether the first message went
// out (lead), even when part of its thread then failed.
func (c *Triage) sendTriage(ctx context.Context, p commands.Poster, ws, channel string, now time.Time) (n int, lead bool, err error) {
	msgs, n, err := c.Messages(ctx, ws, channel, now)
	if err != nil || len(msgs) == 0 {
		return 0, false, err
	}
	first := msgs[0]
	first.Thread = msgs[1:]
	ref, err := commands.PostThreaded(ctx, p, commands.Destination{Workspace: ws, Channel: channel}, first)
	if err != nil {
		return n, ref.ID != "", err
	}
	return n, true, nil
}

// Messages builds (and records, so picks can redraw them) the triage
// messages of channel for the 7 days before now: the untagged requests
// received then, oldest first, at most 60, split into messages that stay
// inside platform limits. It returns the messages and how many requests
// they list; none when nothing is untagged.
func (c *Triage) Messages(ctx context.Context, ws, channel string, now time.Time) ([]commands.Response, int, error) {
	now = now.In(c.cfg.DefaultTZ)
	from := now.AddDate(0, 0, -7)
	recv, err := c.store.RequestsReceived(ctx, ws, from, now)
	if err != nil {
		return nil, 0, fmt.Errorf("triage of %s: %w", ws, err)
	}
	var untagged []record.Request
	for _, r := range recv {
		if r.Outcome == "" {
			untagged = append(untagged, r)
		}
	}
	if len(untagged) == 0 {
		return nil, 0, nil
	}
	overflow := 0
	if len(untagged) > maxTriageItems {
		overflow = len(untagged) - maxTriageItems
		untagged = untagged[:maxTriageItems]
	}
	options, err := c.outcomeChoices(ctx, ws)
	if err != nil {
		return nil, 0, err
	}
	parts := splitTriage(untagged, options)
	out := make([]commands.Response, 0, len(parts))
	for i, part := range parts {
		m := record.TriageMessage{Week: cadence.WeekOf(now), From: from, To: now, Channel: channel, Part: i + 1, Parts: len(parts), Refs: refsOf(part)}
		if i == len(parts)-1 {
			m.Overflow = overflow
		}
		id, err := c.store.SaveTriageMessage(ctx, ws, m)
		if err != nil {
			return nil, 0, fmt.Errorf("triage of %s: %w", ws, err)
		}
		out = append(out, c.triageResponse(id, m, part, options, ""))
	}
	return out, len(untagged), nil
}

// outcomeChoices lists the active outcomes as picker options, by key.
func (c *Triage) outcomeChoices(ctx context.Context, ws string) ([]commands.Choice, error) {
	active, err := c.core.ActiveOutcomes(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("list outcomes of %s: %w", ws, err)
	}
	out := make([]commands.Choice, 0, min(len(active), commands.MaxPickerOptions))
	for _, o := range active[:min(len(active), commands.MaxPickerOptions)] {
		out = append(out, commands.Choice{Label: commands.Clip(o.Key+" — "+o.Title, commands.MaxChoiceLabel), Value: o.Key})
	}
	return out, nil
}

// splitTriage splits requests into messages within the per-message item
// count and size budget.
func splitTriage(reqs []record.Request, options []commands.Choice) [][]record.Request {
	perItem := 400
	for _, o := range options {
		perItem += len(o.Label) + len(o.Value) + 30
	}
	per := max(1, min(maxTriageItemsPerMsg, triageMessageBudget/perItem))
	var parts [][]record.Request
	for len(reqs) > 0 {
		n := min(per, len(reqs))
		parts = append(parts, reqs[:n])
		reqs = reqs[n:]
	}
	return parts
}

// refsOf lists the requests' references.
func refsOf(reqs []record.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Ref
	}
	return out
}

// triageResponse renders one triage message: the requests still untagged
// with a picker each, the ones tagged since with their outcome. lastPick,
// when set, is a context line about the pick that redrew it.
func (c *Triage) triageResponse(id int64, m record.TriageMessage, reqs []record.Request, options []commands.Choice, lastPick string) commands.Response {
	loc := c.cfg.DefaultTZ
	title := "Untagged requests · " + commands.DayRangeText(m.From.In(loc), m.To.In(loc).AddDate(0, 0, -1))
	if m.Parts > 1 {
		title += " (" + strconv.Itoa(m.Part) + " of " + strconv.Itoa(m.Parts) + ")"
	}
	r := commands.Response{Visibility: commands.InChannel, Title: title}
	tagged := 0
	for _, req := range reqs {
		sec := commands.Section{Text: c.triageLine(req, loc)}
		if req.Outcome != "" {
			tagged++
		} else if v := strconv.FormatInt(id, 10) + " " + req.Ref; len(v) <= commands.MaxPickerValue && len(options) > 0 {
			sec.Picker = &commands.Picker{Action: commands.ActionTriage, Value: v, Placeholder: "Pick its outcome", Options: options}
		}
		r.Sections = append(r.Sections, sec)
	}
	r.Text = triageLead(m, len(reqs), tagged)
	var ctx []string
	if lastPick != "" {
		ctx = append(ctx, lastPick)
	}
	if m.Overflow > 0 {
		ctx = append(ctx, strconv.Itoa(m.Overflow)+" more untagged requests are not listed: tag them with "+commands.Code("/tag <ticket> <outcome-key>"))
	}
	if len(options) == 0 {
		ctx = append(ctx, "No active outcomes to pick: an admin adds one with "+commands.Code("/outcome add"))
	}
	r.Context = strings.Join(ctx, " · ")
	return r
}

// triageLead is a triage message's text: what the list is and how to act.
func triageLead(m record.TriageMessage, n, tagged int) string {
	var b strings.Builder
	if m.Part <= 1 {
		b.WriteString(commands.CountNoun(n, "request", "requests") + " received that week " + commands.IsAre(n) + " tied to no outcome, so " +
			commands.ItThey(n) + " count as drift in the digest. Pick the outcome each one serves, or use " + commands.Code("/tag <ticket> <outcome-key>") + ".")
	} else {
		b.WriteString("More untagged requests from that week.")
	}
	if tagged > 0 {
		b.WriteString(" " + strconv.Itoa(tagged) + " of " + strconv.Itoa(n) + " tagged since.")
	}
	return b.String()
}

// triageLine renders one request: reference, title, source, requester,
// opened date and status; its outcome once tagged.
func (c *Triage) triageLine(r record.Request, loc *time.Location) string {
	line := c.core.TicketText(r.Ref)
	if r.Title != "" {
		line += " · " + commands.Clip(r.Title, commands.MaxTitleRunes)
	}
	var meta []string
	if r.Source != "" {
		meta = append(meta, r.Source)
	}
	if r.Requester != "" {
		meta = append(meta, "requested by "+commands.Clip(r.Requester, 60))
	}
	meta = append(meta, "received "+r.Received().In(loc).Format("Mon 2 Jan"))
	if r.Status == record.RequestClosed {
		meta = append(meta, "closed")
	}
	line += "\n" + strings.Join(meta, " · ")
	if r.Outcome != "" {
		line = "✓ " + line + "\n→ " + commands.Code(r.Outcome)
	}
	return line
}
