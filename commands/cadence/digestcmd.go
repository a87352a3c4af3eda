package cadence

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/digest"

	"github.com/outcomebot/outcomebot/store/record"
)

const (
	usageSubscribe = "/digest subscribe [outcomes=a,b|all] [tz=Area/City]"
	usagePreview   = "/digest preview [outcome=<key>]"
)

// digestFor builds the digest of a channel at now, as its subscription says
// (all outcomes in the default zone when it has none).
func (c *Cadence) digestFor(ctx context.Context, ws, channel string, now time.Time, marks digest.Input) (commands.Response, error) {
	return c.digestWith(ctx, nil, ws, channel, now, marks)
}

// digestWith is digestFor reading the data through reads (nil: the store).
func (c *Cadence) digestWith(ctx context.Context, reads *passReads, ws, channel string, now time.Time, marks digest.Input) (commands.Response, error) {
	sub, err := c.store.GetSubscription(ctx, ws, channel)
	if err != nil && !errors.Is(err, record.ErrNotFound) {
		return commands.Response{}, err
	}
	loc := c.location(sub.TZ)
	now = now.In(loc)
	// The read covers exactly the two windows the digest counts and compares.
	from := c.digestWindows(loc, now, &marks)
	data, err := reads.digestData(ctx, c.store, ws, from, now)
	if err != nil {
		return commands.Response{}, err
	}
	if marks.KPIs, err = c.store.OutcomeKPIs(ctx, ws, outcomeKeys(data.Outcomes), digest.KPISince(now)); err != nil {
		return commands.Response{}, err
	}
	marks.Data, marks.Now, marks.Follow = data, now, sub.Outcomes
	marks.DefaultSLA, marks.TicketURL = c.cfg.AckSLA, c.cfg.TicketLinks.URL
	marks.Hours = c.core.HoursFor
	marks.Trend = c.trendFor(ctx, ws, sub.Outcomes, now)
	return digest.Build(marks), nil
}

// location loads a stored zone name, falling back to the default zone.
func (c *Cadence) location(name string) *time.Location {
	if name == "" {
		return c.cfg.DefaultTZ
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return c.cfg.DefaultTZ
	}
	return loc
}

// definitions declares /digest and its subcommands.
func (c *Cadence) definitions() []commands.Definition {
	digestDef := commands.Definition{Name: "digest", Usage: "/digest [preview] [outcome=<key>]", Summary: "this channel's weekly digest, now, only to you", Subs: []commands.Definition{
		{Name: "preview", Usage: usagePreview, Summary: "this channel's digest, or one outcome's, now, only to you", Handler: commands.HandlerFunc(c.digestPreview)},
		{Name: "subscribe", Usage: usageSubscribe, Summary: "post the weekly digest in this channel", Role: record.RoleAdmin,
			Doing: "subscribe channels to the digest", Handler: commands.HandlerFunc(c.digestSubscribe)},
		{Name: "unsubscribe", Usage: "/digest unsubscribe", Summary: "stop the weekly digest here", Role: record.RoleAdmin,
			Doing: "unsubscribe channels from the digest", Handler: commands.HandlerFunc(c.digestUnsubscribe)},
		{Name: "status", Usage: "/digest status", Summary: "subscription, next post and last post", Handler: commands.HandlerFunc(c.digestStatus)},
	}}
	// /digest alone previews; /digest <word> must be one of its subcommands.
	digestDef.Handler = commands.HandlerFunc(func(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
		if w, ok := args.Word(0); ok {
			return commands.Response{}, commands.Userf("Unknown subcommand `%s` for /digest. %s", commands.Clip(w.Text, 40), commands.SubList(&digestDef))
		}
		return c.digestPreview(ctx, req, args)
	})
	return []commands.Definition{digestDef}
}

// digestPreview shows the channel's digest now, only to the caller; with
// outcome=<key>, one outcome's digest in full (any outcome of the
// workspace, followed here or not), for those the digest names only in its
// "and N more outcomes" section.
func (c *Cadence) digestPreview(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	if len(args.Words) > 0 {
		return commands.Response{}, commands.Userf("Usage: %s — it shows this channel's digest now, only to you.", commands.Code(usagePreview))
	}
	if err := commands.OnlyOptions(args, usagePreview, "outcome"); err != nil {
		return commands.Response{}, err
	}
	marks := digest.Input{Preview: true}
	if t, ok := args.Option("outcome"); ok {
		if strings.TrimSpace(t.Text) == "" {
			return commands.Response{}, commands.Userf("%s needs an outcome key, e.g. %s.", commands.Code("outcome="), commands.Code("/digest preview outcome=pos"))
		}
		o, err := c.core.Outcome(ctx, req.Workspace, t.Text)
		if err != nil {
			return commands.Response{}, err
		}
		marks.Outcome = o.Key
	}
	resp, err := c.digestFor(ctx, req.Workspace, req.Channel, req.Time, marks)
	resp.Visibility = commands.Ephemeral
	return resp, err
}

func (c *Cadence) digestSubscribe(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	if err := commands.OnlyOptions(args, usageSubscribe, "outcomes", "tz"); err != nil {
		return commands.Response{}, err
	}
	if w, ok := args.Word(0); ok && (w.Kind != commands.TokenHere || len(args.Words) > 1) {
		return commands.Response{}, commands.Userf("Usage: %s — run it in the leadership channel itself.", commands.Code(usageSubscribe))
	}
	ch := record.SubscriptionChange{Channel: req.Channel, DefaultTZ: c.cfg.DefaultTZ.String(), By: req.User, At: req.Time}
	if t, ok := args.Option("tz"); ok {
		loc, err := commands.LoadZone(t.Text)
		if err != nil {
			return commands.Response{}, err
		}
		ch.TZ = loc.String()
	}
	if t, ok := args.Option("outcomes"); ok {
		keys, err := c.followedOutcomes(ctx, req.Workspace, t.Text)
		if err != nil {
			return commands.Response{}, err
		}
		ch.SetOutcomes, ch.Outcomes = true, keys
	}
	// One round trip: the store merges what is named into the subscription.
	res, err := c.store.ChangeSubscription(ctx, req.Workspace, ch)
	if err != nil {
		return commands.Response{}, err
	}
	sub := res.After
	switch {
	case res.Created:
		return commands.Response{Visibility: commands.InChannel, Text: fmt.Sprintf("This channel now gets the weekly outcome digest, %s. %s",
			followText(sub.Outcomes), c.nextText(sub, req.Time))}, nil
	case !res.Changed:
		return commands.Response{Text: fmt.Sprintf("This channel already gets the weekly outcome digest, %s, in %s; nothing changed. %s",
			followText(sub.Outcomes), commands.Code(zoneName(sub.TZ)), c.nextText(sub, req.Time))}, nil
	}
	return commands.Response{Visibility: commands.InChannel, Text: fmt.Sprintf("Digest subscription updated: %s. This channel still gets the weekly outcome digest, now %s. %s",
		strings.Join(subscriptionChanges(res.Before, sub), "; "), followText(sub.Outcomes), c.nextText(sub, req.Time))}, nil
}

// subscriptionChanges says what differs between two subscriptions.
func subscriptionChanges(before, after record.Subscription) []string {
	var out []string
	if before.TZ != after.TZ {
		out = append(out, fmt.Sprintf("time zone %s → %s", commands.Code(zoneName(before.TZ)), commands.Code(zoneName(after.TZ))))
	}
	if strings.Join(before.Outcomes, ",") != strings.Join(after.Outcomes, ",") {
		out = append(out, fmt.Sprintf("outcomes %s → %s", outcomesName(before.Outcomes), outcomesName(after.Outcomes)))
	}
	if len(out) == 0 {
		out = append(out, "repaired")
	}
	return out
}

func zoneName(tz string) string {
	if tz == "" {
		return "default"
	}
	return tz
}

func outcomesName(keys []string) string {
	if len(keys) == 0 {
		return "all"
	}
	return commands.Code(strings.Join(keys, ", "))
}

// followedOutcomes checks a comma-separated list of outcome keys; `all`
// (nil keys) follows every outcome.
func (c *Cadence) followedOutcomes(ctx context.Context, ws, list string) ([]string, error) {
	if strings.EqualFold(strings.TrimSpace(list), "all") {
		return nil, nil
	}
	var keys []string
	for _, k := range strings.Split(list, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if _, err := c.core.Outcome(ctx, ws, k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, commands.Userf("`outcomes=` needs at least one outcome key, e.g. `outcomes=pos,infra`, or `outcomes=all` to follow every outcome.")
	}
	return keys, nil
}

func followText(keys []string) string {
	if len(keys) == 0 {
		return "covering all outcomes"
	}
	return "covering " + commands.Code(strings.Join(keys, ", "))
}

// nextText says when the next scheduled digest is, in the channel's zone.
func (c *Cadence) nextText(sub record.Subscription, now time.Time) string {
	next, err := NextDigest(c.cfg.DigestCron, c.location(sub.TZ), now)
	if err != nil {
		return "The digest schedule is misconfigured (" + commands.Code(c.cfg.DigestCron) + "); tell whoever runs outcomebot."
	}
	return "Next: " + next.Format("Mon 2 Jan 15:04 MST") + " (" + sub.TZ + ")."
}

// NextDigest returns the first scheduled digest time after now in loc,
// with the scheduler's daylight-saving rules (see NextSlot).
func NextDigest(spec string, loc *time.Location, now time.Time) (time.Time, error) {
	return NextSlot(spec, loc, now)
}

func (c *Cadence) digestUnsubscribe(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	removed, err := c.store.Unsubscribe(ctx, req.Workspace, req.Channel, req.User, req.Time)
	if err != nil {
		return commands.Response{}, err
	}
	if !removed {
		return commands.Response{Text: "This channel was not subscribed to the digest; nothing changed."}, nil
	}
	return commands.Response{Visibility: commands.InChannel, Text: "This channel no longer gets the weekly outcome digest."}, nil
}

func (c *Cadence) digestStatus(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	sub, err := c.store.GetSubscription(ctx, req.Workspace, req.Channel)
	if errors.Is(err, record.ErrNotFound) {
		return commands.Response{Text: "This channel is not subscribed to the weekly digest. An admin subscribes it with " + commands.Code(usageSubscribe) + "; anyone can run " + commands.Code("/digest preview") + "."}, nil
	}
	if err != nil {
		return commands.Response{}, err
	}
	lines, err := c.digestStatusLines(ctx, req.Workspace, sub, req.Time)
	if err != nil {
		return commands.Response{}, err
	}
	head := fmt.Sprintf("This channel gets the weekly digest %s, subscribed by %s on %s.",
		followText(sub.Outcomes), commands.Mention(sub.By), sub.At.In(c.location(sub.TZ)).Format("2 Jan 2006"))
	return commands.Response{Text: strings.Join(append([]string{head}, lines...), "\n")}, nil
}
