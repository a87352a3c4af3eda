package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

const usageSubscribe = "/digest subscribe [outcomes=a,b|all] [tz=Area/City]"

// digestFor builds the digest of a channel at now, as its subscription says
// (all outcomes in the default zone when it has none).
func (c *Core) digestFor(ctx context.Context, ws, channel string, now time.Time, marks DigestInput) (Response, error) {
	sub, err := c.store.GetSubscription(ctx, ws, channel)
	if err != nil && !errors.Is(err, record.ErrNotFound) {
		return Response{}, err
	}
	loc := c.location(sub.TZ)
	now = now.In(loc)
	data, err := c.store.DigestData(ctx, ws, now.Add(-14*24*time.Hour), now)
	if err != nil {
		return Response{}, err
	}
	marks.Data, marks.Now, marks.Follow = data, now, sub.Outcomes
	marks.DefaultSLA, marks.TicketURL = c.cfg.AckSLA, c.cfg.TicketLinks.URL
	return BuildDigest(marks), nil
}

// location loads a stored zone name, falling back to the default zone.
func (c *Core) location(name string) *time.Location {
	if name == "" {
		return c.cfg.DefaultTZ
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return c.cfg.DefaultTZ
	}
	return loc
}

func (c *Core) digestPreview(ctx context.Context, req Request, args Args) (Response, error) {
	if len(args.Words) > 0 || len(args.Order) > 0 {
		return Response{}, Userf("Usage: %s — it shows this channel's digest now, only to you.", Code("/digest [preview]"))
	}
	resp, err := c.digestFor(ctx, req.Workspace, req.Channel, req.Time, DigestInput{Preview: true})
	resp.Visibility = Ephemeral
	return resp, err
}

func (c *Core) digestSubscribe(ctx context.Context, req Request, args Args) (Response, error) {
	if err := c.require(ctx, req, "subscribe channels to the digest"); err != nil {
		return Response{}, err
	}
	if err := onlyOptions(args, usageSubscribe, "outcomes", "tz"); err != nil {
		return Response{}, err
	}
	if w, ok := args.Word(0); ok && (w.Kind != TokenHere || len(args.Words) > 1) {
		return Response{}, Userf("Usage: %s — run it in the leadership channel itself.", Code(usageSubscribe))
	}
	ch := record.SubscriptionChange{Channel: req.Channel, DefaultTZ: c.cfg.DefaultTZ.String(), By: req.User, At: req.Time}
	if t, ok := args.Option("tz"); ok {
		loc, err := LoadZone(t.Text)
		if err != nil {
			return Response{}, err
		}
		ch.TZ = loc.String()
	}
	if t, ok := args.Option("outcomes"); ok {
		keys, err := c.followedOutcomes(ctx, req.Workspace, t.Text)
		if err != nil {
			return Response{}, err
		}
		ch.SetOutcomes, ch.Outcomes = true, keys
	}
	// One round trip: the store merges what is named into the subscription.
	res, err := c.store.ChangeSubscription(ctx, req.Workspace, ch)
	if err != nil {
		return Response{}, err
	}
	sub := res.After
	switch {
	case res.Created:
		return Response{Visibility: InChannel, Text: fmt.Sprintf("This channel now gets the weekly outcome digest, %s. %s",
			followText(sub.Outcomes), c.nextText(sub, req.Time))}, nil
	case !res.Changed:
		return Response{Text: fmt.Sprintf("This channel already gets the weekly outcome digest, %s, in %s; nothing changed. %s",
			followText(sub.Outcomes), Code(zoneName(sub.TZ)), c.nextText(sub, req.Time))}, nil
	}
	return Response{Visibility: InChannel, Text: fmt.Sprintf("Digest subscription updated: %s. This channel still gets the weekly outcome digest, now %s. %s",
		strings.Join(subscriptionChanges(res.Before, sub), "; "), followText(sub.Outcomes), c.nextText(sub, req.Time))}, nil
}

// subscriptionChanges says what differs between two subscriptions.
func subscriptionChanges(before, after record.Subscription) []string {
	var out []string
	if before.TZ != after.TZ {
		out = append(out, fmt.Sprintf("time zone %s → %s", Code(zoneName(before.TZ)), Code(zoneName(after.TZ))))
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
	return Code(strings.Join(keys, ", "))
}

// followedOutcomes checks a comma-separated list of outcome keys; `all`
// (nil keys) follows every outcome.
func (c *Core) followedOutcomes(ctx context.Context, ws, list string) ([]string, error) {
	if strings.EqualFold(strings.TrimSpace(list), "all") {
		return nil, nil
	}
	var keys []string
	for _, k := range strings.Split(list, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if _, err := c.outcome(ctx, ws, k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, Userf("`outcomes=` needs at least one outcome key, e.g. `outcomes=pos,infra`, or `outcomes=all` to follow every outcome.")
	}
	return keys, nil
}

func followText(keys []string) string {
	if len(keys) == 0 {
		return "covering all outcomes"
	}
	return "covering " + Code(strings.Join(keys, ", "))
}

// nextText says when the next scheduled digest is, in the channel's zone.
func (c *Core) nextText(sub record.Subscription, now time.Time) string {
	next, err := NextDigest(c.cfg.DigestCron, c.location(sub.TZ), now)
	if err != nil {
		return "The digest schedule is misconfigured (" + Code(c.cfg.DigestCron) + "); tell whoever runs outcomebot."
	}
	return "Next: " + next.Format("Mon 2 Jan 15:04 MST") + " (" + sub.TZ + ")."
}

// NextDigest returns the first scheduled digest time after now in loc,
// with the scheduler's daylight-saving rules (see NextSlot).
func NextDigest(spec string, loc *time.Location, now time.Time) (time.Time, error) {
	return NextSlot(spec, loc, now)
}

func (c *Core) digestUnsubscribe(ctx context.Context, req Request, args Args) (Response, error) {
	if err := c.require(ctx, req, "unsubscribe channels from the digest"); err != nil {
		return Response{}, err
	}
	removed, err := c.store.Unsubscribe(ctx, req.Workspace, req.Channel, req.User, req.Time)
	if err != nil {
		return Response{}, err
	}
	if !removed {
		return Response{Text: "This channel was not subscribed to the digest; nothing changed."}, nil
	}
	return Response{Visibility: InChannel, Text: "This channel no longer gets the weekly outcome digest."}, nil
}

func (c *Core) digestStatus(ctx context.Context, req Request, args Args) (Response, error) {
	sub, err := c.store.GetSubscription(ctx, req.Workspace, req.Channel)
	if errors.Is(err, record.ErrNotFound) {
		return Response{Text: "This channel is not subscribed to the weekly digest. An admin subscribes it with " + Code(usageSubscribe) + "; anyone can run " + Code("/digest preview") + "."}, nil
	}
	if err != nil {
		return Response{}, err
	}
	lines, err := c.digestStatusLines(ctx, req.Workspace, sub, req.Time)
	if err != nil {
		return Response{}, err
	}
	head := fmt.Sprintf("This channel gets the weekly digest %s, subscribed by %s on %s.",
		followText(sub.Outcomes), Mention(sub.By), sub.At.In(c.location(sub.TZ)).Format("2 Jan 2006"))
	return Response{Text: strings.Join(append([]string{head}, lines...), "\n")}, nil
}
