package triage

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/outcomebot/outcomebot/commands"

	"github.com/outcomebot/outcomebot/store/record"
)

const usageTriage = "/outcome triage [#channel|here|off]"

// triagePick handles a pick in a triage message's menu: it tags the
// request exactly as /tag does (anyone may tag; history and audit), then
// redraws the message with the request's outcome in place of its menu.
func (c *Triage) triagePick(ctx context.Context, req commands.Request, _ commands.Args) (commands.Response, error) {
	id, ref, ok := parseTriageValue(req.Action.Value)
	if !ok {
		return commands.Response{}, commands.Userf("That menu is no longer supported. Tag the request with %s.", commands.Code(commands.UsageTag))
	}
	key := strings.TrimSpace(req.Action.Choice)
	if key == "" {
		return commands.Response{}, commands.Userf("Pick an outcome from the menu, or tag it with %s.", commands.Code("/tag "+ref+" <outcome-key>"))
	}
	m, err := c.checkPick(ctx, req, id, ref, key)
	if err != nil {
		return commands.Response{}, err
	}
	reply, err := c.core.TagRequest(ctx, req, ref, key)
	if err != nil || m == nil {
		return reply, err // m nil: the message's list expired; the tag stands, say so
	}
	resp, err := c.redrawTriage(ctx, req.Workspace, id, *m, commands.Mention(req.User)+" tagged "+c.core.TicketText(ref)+" → "+commands.Code(strings.ToLower(key)))
	if err != nil {
		c.log.Warn("triage redraw failed", "workspace", req.Workspace, "triage", id, "err", err)
		return reply, nil
	}
	resp.Replace = true
	return resp, nil
}

// checkPick returns the pick's message (nil when its list expired) or
// refuses, changing nothing, a pick that names a request its
// message does not list or a message other than the one clicked (a forged
// value), and one for a request someone tagged to another outcome since
// the message was posted (each IT channel may list the same request): that
// is for /tag to change, knowingly. A message whose list expired is not
// checked: the pick then tags as /tag would.
func (c *Triage) checkPick(ctx context.Context, req commands.Request, id int64, ref, key string) (*record.TriageMessage, error) {
	m, err := c.store.GetTriageMessage(ctx, req.Workspace, id)
	switch {
	case errors.Is(err, record.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	if !slices.Contains(m.Refs, ref) || (req.Channel != "" && m.Channel != "" && req.Channel != m.Channel) {
		return nil, commands.Userf("That menu does not list %s. Tag it with %s.", c.core.TicketText(ref), commands.Code("/tag "+ref+" <outcome-key>"))
	}
	r, err := c.store.GetRequest(ctx, req.Workspace, ref)
	if err != nil || r.Outcome == "" || strings.EqualFold(r.Outcome, key) {
		return &m, nil // unknown requests and errors are /tag's to answer
	}
	return nil, commands.Userf("%s was tagged to %s since this list was posted. To change that, use %s.", c.core.TicketText(ref), commands.Code(r.Outcome), commands.Code("/tag "+ref+" "+strings.ToLower(key)))
}

// redrawTriage renders triage message id (m, as read for the pick) with its
// requests' current state.
func (c *Triage) redrawTriage(ctx context.Context, ws string, id int64, m record.TriageMessage, lastPick string) (commands.Response, error) {
	reqs, err := c.store.GetRequests(ctx, ws, m.Refs)
	if err != nil {
		return commands.Response{}, err
	}
	options, err := c.outcomeChoices(ctx, ws)
	if err != nil {
		return commands.Response{}, err
	}
	return c.triageResponse(id, m, reqs, options, lastPick), nil
}

// parseTriageValue splits a triage picker's value "<id> <ref>".
func parseTriageValue(v string) (int64, string, bool) {
	idText, ref, ok := strings.Cut(strings.TrimSpace(v), " ")
	id, err := strconv.ParseInt(idText, 10, 64)
	ref = strings.TrimSpace(ref)
	return id, ref, ok && err == nil && id > 0 && ref != ""
}

// triageSettings handles /outcome triage: without arguments it says where
// the weekly triage goes; an admin sets the workspace's triage channel
// (#channel or here) or turns it off (each outcome's IT channel again).
func (c *Triage) triageSettings(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	if err := commands.OnlyOptions(args, usageTriage); err != nil {
		return commands.Response{}, err
	}
	w, ok := args.Word(0)
	if !ok {
		return c.triageStatus(ctx, req.Workspace)
	}
	if len(args.Words) > 1 {
		return commands.Response{}, commands.Userf("Usage: %s", commands.Code(usageTriage))
	}
	channel := ""
	if !(w.Kind == commands.TokenWord && strings.EqualFold(w.Text, "off")) {
		ch, err := commands.ChannelArg(req, w, "The triage channel")
		if err != nil {
			return commands.Response{}, err
		}
		channel = ch
	}
	if _, err := c.store.SetTriageChannel(ctx, req.Workspace, channel, req.User, req.Time); err != nil {
		return commands.Response{}, err
	}
	if channel == "" {
		return commands.Response{Text: "The weekly triage of untagged requests now goes to each outcome's IT channel."}, nil
	}
	return commands.Response{Visibility: commands.InChannel, Text: "The weekly triage of untagged requests now comes to " + commands.ChannelLink(channel) +
		": each week, the requests received with no outcome, each with a menu to pick its outcome."}, nil
}

// triageStatus says where the weekly triage goes.
func (c *Triage) triageStatus(ctx context.Context, ws string) (commands.Response, error) {
	set, err := c.store.GetTriageSettings(ctx, ws)
	if err != nil {
		return commands.Response{}, err
	}
	if set.Channel != "" {
		return commands.Response{Text: "The weekly triage of untagged requests goes to " + commands.ChannelLink(set.Channel) +
			" (set by " + commands.Mention(set.By) + "). An admin changes it with " + commands.Code(usageTriage) + "."}, nil
	}
	chans, err := c.triageChannels(ctx, ws)
	if err != nil {
		return commands.Response{}, err
	}
	if len(chans) == 0 {
		return commands.Response{Text: "No outcome has an IT channel yet, so the weekly triage goes nowhere. Set one with " +
			commands.Code("/outcome set <key> it-channel=#chan") + " or a triage channel with " + commands.Code(usageTriage) + "."}, nil
	}
	var links []string
	for _, ch := range chans {
		links = append(links, commands.ChannelLink(ch))
	}
	return commands.Response{Text: "The weekly triage of untagged requests goes to each outcome's IT channel: " + strings.Join(links, ", ") +
		". An admin sends it to one channel instead with " + commands.Code(usageTriage) + "."}, nil
}
