package commands

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/outcomebot/outcomebot/store/record"
)

const usageTriage = "/outcome triage [#channel|here|off]"

// triagePick handles a pick in a triage message's menu: it tags the
// request exactly as /tag does (anyone may tag; history and audit), then
// redraws the message with the request's outcome in place of its menu.
func (c *Core) triagePick(ctx context.Context, req Request, _ Args) (Response, error) {
	id, ref, ok := parseTriageValue(req.Action.Value)
	if !ok {
		return Response{}, Userf("That menu is no longer supported. Tag the request with %s.", Code(usageTag))
	}
	key := strings.TrimSpace(req.Action.Choice)
	if key == "" {
		return Response{}, Userf("Pick an outcome from the menu, or tag it with %s.", Code("/tag "+ref+" <outcome-key>"))
	}
	m, err := c.checkPick(ctx, req, id, ref, key)
	if err != nil {
		return Response{}, err
	}
	reply, err := c.tag(ctx, req, tagArgs(ref, key))
	if err != nil || m == nil {
		return reply, err // m nil: the message's list expired; the tag stands, say so
	}
	resp, err := c.redrawTriage(ctx, req.Workspace, id, *m, Mention(req.User)+" tagged "+c.ticketText(ref)+" → "+Code(strings.ToLower(key)))
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
func (c *Core) checkPick(ctx context.Context, req Request, id int64, ref, key string) (*record.TriageMessage, error) {
	m, err := c.store.GetTriageMessage(ctx, req.Workspace, id)
	switch {
	case errors.Is(err, record.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	if !slices.Contains(m.Refs, ref) || (req.Source.Channel != "" && m.Channel != "" && conversationOf(req.Source.Channel) != conversationOf(m.Channel)) {
		return nil, Userf("That menu does not list %s. Tag it with %s.", c.ticketText(ref), Code("/tag "+ref+" <outcome-key>"))
	}
	r, err := c.store.GetRequest(ctx, req.Workspace, ref)
	if err != nil || r.Outcome == "" || strings.EqualFold(r.Outcome, key) {
		return &m, nil // unknown requests and errors are /tag's to answer
	}
	return nil, Userf("%s was tagged to %s since this list was posted. To change that, use %s.", c.ticketText(ref), Code(r.Outcome), Code("/tag "+ref+" "+strings.ToLower(key)))
}

// conversationOf is a channel id without a thread suffix (Teams channel
// messages are addressed as "<conversation>;messageid=<id>").
func conversationOf(ch string) string {
	base, _, _ := strings.Cut(ch, ";")
	return base
}

// redrawTriage renders triage message id (m, as read for the pick) with its
// requests' current state.
func (c *Core) redrawTriage(ctx context.Context, ws string, id int64, m record.TriageMessage, lastPick string) (Response, error) {
	reqs, err := c.store.GetRequests(ctx, ws, m.Refs)
	if err != nil {
		return Response{}, err
	}
	options, err := c.outcomeChoices(ctx, ws)
	if err != nil {
		return Response{}, err
	}
	return c.triageResponse(id, m, reqs, options, lastPick), nil
}

// tagArgs builds the parsed form of "/tag <ref> <key>" without parsing it
// (a URL reference may hold '=' that the parser would read as an option).
func tagArgs(ref, key string) Args {
	raw := ref + " " + key
	return Args{Raw: raw, Options: map[string]Token{}, Words: []Token{
		{Kind: TokenWord, Text: ref, Start: 0, End: len(ref)},
		{Kind: TokenWord, Text: key, Start: len(ref) + 1, End: len(raw)},
	}}
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
func (c *Core) triageSettings(ctx context.Context, req Request, args Args) (Response, error) {
	if err := onlyOptions(args, usageTriage); err != nil {
		return Response{}, err
	}
	w, ok := args.Word(0)
	if !ok {
		return c.triageStatus(ctx, req.Workspace)
	}
	if len(args.Words) > 1 {
		return Response{}, Userf("Usage: %s", Code(usageTriage))
	}
	if err := c.require(ctx, req, "choose where the weekly triage goes"); err != nil {
		return Response{}, err
	}
	channel := ""
	if !(w.Kind == TokenWord && strings.EqualFold(w.Text, "off")) {
		ch, err := channelArg(req, w, "The triage channel")
		if err != nil {
			return Response{}, err
		}
		channel = ch
	}
	if _, err := c.store.SetTriageChannel(ctx, req.Workspace, channel, req.User, req.Time); err != nil {
		return Response{}, err
	}
	if channel == "" {
		return Response{Text: "The weekly triage of untagged requests now goes to each outcome's IT channel."}, nil
	}
	return Response{Visibility: InChannel, Text: "The weekly triage of untagged requests now comes to " + ChannelLink(channel) +
		": each week, the requests received with no outcome, each with a menu to pick its outcome."}, nil
}

// triageStatus says where the weekly triage goes.
func (c *Core) triageStatus(ctx context.Context, ws string) (Response, error) {
	set, err := c.store.GetTriageSettings(ctx, ws)
	if err != nil {
		return Response{}, err
	}
	if set.Channel != "" {
		return Response{Text: "The weekly triage of untagged requests goes to " + ChannelLink(set.Channel) +
			" (set by " + Mention(set.By) + "). An admin changes it with " + Code(usageTriage) + "."}, nil
	}
	chans, err := c.triageChannels(ctx, ws)
	if err != nil {
		return Response{}, err
	}
	if len(chans) == 0 {
		return Response{Text: "No outcome has an IT channel yet, so the weekly triage goes nowhere. Set one with " +
			Code("/outcome set <key> it-channel=#chan") + " or a triage channel with " + Code(usageTriage) + "."}, nil
	}
	var links []string
	for _, ch := range chans {
		links = append(links, ChannelLink(ch))
	}
	return Response{Text: "The weekly triage of untagged requests goes to each outcome's IT channel: " + strings.Join(links, ", ") +
		". An admin sends it to one channel instead with " + Code(usageTriage) + "."}, nil
}
