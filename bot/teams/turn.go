package teams

import (
	"context"
	"errors"
	"log/slog"

	"github.com/outcomebot/outcomebot/commands"
)

// handleMessage runs one message activity through the core: a typed
// command or a card button (Action.Submit). The answer goes back into the
// conversation; Outgoing messages (the escalation card, the requester's
// notice) are delivered through the Poster.
func (a *Adapter) handleMessage(ctx context.Context, act inboundActivity, log *slog.Logger) {
	req, ok := a.request(ctx, act, log)
	if !ok {
		return
	}
	log = log.With("user", req.User, "command", req.Command)
	if req.Action != nil {
		log = log.With("action", req.Action.Name, "value", req.Action.Value, "choice", req.Action.Choice)
	}
	resp := a.core.Handle(ctx, req)
	if err := a.reply(ctx, act, req, resp); err != nil {
		log.Error("teams: reply", "err", err)
	}
	if len(resp.Outgoing) > 0 {
		if err := a.core.Deliver(ctx, a.Poster(), resp.Outgoing); err != nil {
			log.Error("teams: deliver outgoing messages", "err", err)
		}
	}
}

// request builds the core's Request from a message activity; false when
// there is nothing to handle.
func (a *Adapter) request(ctx context.Context, act inboundActivity, log *slog.Logger) (commands.Request, bool) {
	req, ok := a.caller(ctx, act, log)
	if !ok {
		return req, false
	}
	if action, ok := act.submit(); ok {
		req.Action = action
		req.Source = commands.MessageRef{Channel: act.Conversation.ID, ID: act.ReplyToID}
		return req, true
	}
	req.Command, req.Text = commands.SplitCommand(commandLine(ctx, act, a.mentionResolver(act, log)))
	switch {
	case req.Command == "" && len(act.Attachments) > 0:
		return req, false // a file or card sent to the bot, no command
	case req.Command == "" || req.Command == "help":
		// "help" lists every command ("/outcome help"); "help tag" is "tag help".
		topic, _ := commands.SplitCommand(req.Text)
		if topic == "" {
			topic = "outcome"
		}
		req.Command, req.Text = topic, "help"
	}
	return req, true
}

// reply answers the activity in its conversation. A button press whose
// Response asks for Replace updates the card the button was on; everything
// else is posted as a reply to the activity, which in a channel lands in
// the message's reply chain. Teams has no ephemeral messages: a reply meant
// only for the caller is posted the same way (manifests/teams/README.md#how-the-bot-behaves-in-teams);
// a press of an Action.Execute button is answered to the clicker alone
// instead (invoke_execute.go), this path serving its Action.Submit fallback.
func (a *Adapter) reply(ctx context.Context, act inboundActivity, req commands.Request, resp commands.Response) error {
	to := convAddress{
		ServiceURL:     act.ServiceURL,
		ConversationID: act.Conversation.ID,
		BotID:          act.Recipient.ID,
		BotName:        act.Recipient.Name,
		TenantID:       req.Workspace,
	}
	all := append([]commands.Response{resp}, resp.Thread...)
	scope := memberScope(nestedString(act.ChannelData, "team", "id"), act.Conversation.ID)
	dir := a.directory(ctx, req.Workspace, act.ServiceURL, scope, all)
	var errs []error
	var msgs []message
	switch {
	case resp.Form != nil:
		msgs = renderFormLauncher(resp, dir)
	case !isEmpty(resp):
		msgs = renderResponse(resp, dir)
	}
	if resp.Replace && req.Action != nil && act.ReplyToID != "" && len(msgs) > 0 {
		if err := a.conn.Update(ctx, to, act.ReplyToID, newOutActivity(msgs[0], to)); err != nil {
			errs = append(errs, err)
		} else if c, ok := msgs[0].card(); ok {
			a.rememberCard(ctx, req.Workspace, act.Conversation.ID, act.ReplyToID, c)
		}
		msgs = msgs[1:]
	}
	for _, t := range resp.Thread {
		if !isEmpty(t) {
			msgs = append(msgs, renderResponse(t, dir)...)
		}
	}
	for _, m := range msgs {
		if _, err := a.conn.Reply(ctx, to, act.ID, newOutActivity(m, to)); err != nil {
			errs = append(errs, err)
			break // later parts make no sense without the earlier ones
		}
	}
	return errors.Join(errs...)
}

// isEmpty reports whether a Response has nothing to show.
func isEmpty(r commands.Response) bool {
	return r.Title == "" && r.Text == "" && len(r.Sections) == 0 && len(r.Buttons) == 0 && r.Context == ""
}
