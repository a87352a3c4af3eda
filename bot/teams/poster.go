package teams

import (
	"context"
	"errors"
	"fmt"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// Poster posts and updates messages in Teams conversations the bot has
// seen, using the conversation references stored in Redis, so proactive
// posts (escalation cards, reminders, digests) work after a restart and
// from any replica. A Destination's Channel is a conversation id.
type Poster struct {
	a *Adapter
}

var _ commands.Poster = (*Poster)(nil)

// ErrNoConversation means the bot has no stored reference for a
// conversation: it has never been installed in, or messaged from, there.
var ErrNoConversation = errors.New("no stored teams conversation reference; install the app there or message the bot from it")

// Post posts msg to a conversation and returns where the first message
// landed. A Response that renders to several cards (a large digest) and its
// Thread follow in the same conversation: in a channel, as replies to the
// first message. With to.Thread set the message goes into that channel
// thread; with to.Update set it replaces that message instead.
func (p *Poster) Post(ctx context.Context, to commands.Destination, msg commands.Response) (commands.MessageRef, error) {
	if isEmpty(msg) {
		return commands.MessageRef{}, fmt.Errorf("post to teams conversation %s: empty message", to.Channel)
	}
	ref, err := p.reference(ctx, to.Workspace, to.Channel)
	if err != nil {
		return commands.MessageRef{}, fmt.Errorf("post to teams conversation %s: %w", to.Channel, err)
	}
	if to.Update != "" {
		r := commands.MessageRef{Channel: to.Channel, ID: to.Update}
		return r, p.Update(ctx, r, to.Workspace, msg)
	}
	conv := to.Channel
	if to.Thread != "" && ref.Type == "channel" {
		conv = baseConversation(to.Channel) + ";messageid=" + to.Thread
	}
	addr := address(ref, conv)
	all := append([]commands.Response{msg}, msg.Thread...)
	dir := p.a.directory(ctx, to.Workspace, ref.ServiceURL, memberScope(ref.TeamID, conv), all)
	msgs := renderResponse(msg, dir)
	for _, t := range msg.Thread {
		if !isEmpty(t) {
			msgs = append(msgs, renderResponse(t, dir)...)
		}
	}
	first, err := p.a.conn.Send(ctx, addr, newOutActivity(msgs[0], addr))
	if err != nil {
		return commands.MessageRef{}, fmt.Errorf("post to teams conversation %s: %w", conv, err)
	}
	posted := commands.MessageRef{Channel: conv, ID: first}
	if ref.Type == "channel" && first != "" && conv == baseConversation(conv) {
		addr.ConversationID = conv + ";messageid=" + first // the rest in the new message's thread
	}
	for i, m := range msgs[1:] {
		if _, err := p.a.conn.Send(ctx, addr, newOutActivity(m, addr)); err != nil {
			return posted, fmt.Errorf("post part %d of %d to teams conversation %s: %w", i+2, len(msgs), conv, err)
		}
	}
	return posted, nil
}

// Update replaces a posted message (an escalation card) with msg. Only the
// first message msg renders to is used: a card is replaced by a card.
func (p *Poster) Update(ctx context.Context, ref commands.MessageRef, workspace string, msg commands.Response) error {
	conv, err := p.reference(ctx, workspace, ref.Channel)
	if err != nil {
		return fmt.Errorf("update teams message %s in %s: %w", ref.ID, ref.Channel, err)
	}
	addr := address(conv, ref.Channel)
	dir := p.a.directory(ctx, workspace, conv.ServiceURL, memberScope(conv.TeamID, ref.Channel), []commands.Response{msg})
	m := renderResponse(msg, dir)[0]
	if err := p.a.conn.Update(ctx, addr, ref.ID, newOutActivity(m, addr)); err != nil {
		return fmt.Errorf("update teams message %s in %s: %w", ref.ID, ref.Channel, err)
	}
	return nil
}

// reference reads the stored reference of a conversation (thread suffix
// ignored).
func (p *Poster) reference(ctx context.Context, ws, conversation string) (store.TeamsConversation, error) {
	ref, err := p.a.store.GetTeamsConversation(ctx, ws, baseConversation(conversation))
	if errors.Is(err, store.ErrNotFound) {
		return ref, ErrNoConversation
	}
	return ref, err
}

func address(ref store.TeamsConversation, conversation string) convAddress {
	return convAddress{
		ServiceURL:     ref.ServiceURL,
		ConversationID: conversation,
		BotID:          ref.BotID,
		BotName:        ref.BotName,
		TenantID:       ref.TenantID,
	}
}
