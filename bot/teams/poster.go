package teams

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
)

// Poster posts and updates messages in Teams conversations the bot has
// seen, using the conversation references stored in Redis, so proactive
// posts (escalation cards, reminders, digests) work after a restart and
// from any replica. A Destination's Channel is a conversation id.
type Poster struct {
	a *Adapter
}

var (
	_ commands.Poster       = (*Poster)(nil)
	_ commands.DirectPoster = (*Poster)(nil)
)

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
	return p.postTo(ctx, ref, to, msg)
}

// postTo posts msg (and its Thread) to the conversation ref, as Post.
func (p *Poster) postTo(ctx context.Context, ref store.TeamsConversation, to commands.Destination, msg commands.Response) (commands.MessageRef, error) {
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
	if c, ok := msgs[0].card(); ok && c.Refresh != nil {
		p.a.rememberCard(ctx, to.Workspace, conv, first, c)
	}
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
	if c, ok := m.card(); ok {
		p.a.rememberCard(ctx, workspace, ref.Channel, ref.ID, c)
	}
	return nil
}

// PostDirect messages a user (the core's id: an aad object id, or a "29:"
// id) in their personal chat with the bot: the one the bot last saw them
// write from, else one created with the Bot Connector at the service URL
// the bot last heard the tenant from, which is then remembered. Without any
// stored conversation in the tenant it fails with ErrNoConversation.
func (p *Poster) PostDirect(ctx context.Context, ws, user string, msg commands.Response) (commands.MessageRef, error) {
	conv, err := p.personalChat(ctx, ws, user)
	if err != nil {
		return commands.MessageRef{}, fmt.Errorf("message teams user %s: %w", user, err)
	}
	if isEmpty(msg) {
		return commands.MessageRef{}, fmt.Errorf("message teams user %s: empty message", user)
	}
	// Straight to the chat found or created: remembering a created one may
	// have failed, and that must not stop this message.
	return p.postTo(ctx, conv, commands.Destination{Workspace: ws, Channel: conv.ID}, msg)
}

// personalChat finds or creates the bot's personal chat with user.
func (p *Poster) personalChat(ctx context.Context, ws, user string) (store.TeamsConversation, error) {
	conv, err := p.a.store.GetTeamsPersonalChat(ctx, ws, user)
	if !errors.Is(err, record.ErrNotFound) {
		return conv, err
	}
	known, err := p.a.store.LatestTeamsConversation(ctx, ws)
	if errors.Is(err, record.ErrNotFound) {
		return known, ErrNoConversation
	}
	if err != nil {
		return known, err
	}
	// The connector knows members by their "29:" id; the aad object id is
	// the fallback for a user the bot has never seen.
	who := store.TeamsUser{AADObjectID: user}
	if u, err := p.a.store.GetTeamsUser(ctx, ws, user); err == nil && u.ID != "" {
		who = store.TeamsUser{ID: u.ID, AADObjectID: u.AADObjectID}
	} else if strings.HasPrefix(user, "29:") {
		who = store.TeamsUser{ID: user}
	}
	member := who.ID
	if member == "" {
		member = who.AADObjectID
	}
	botID, botName := known.BotID, known.BotName
	if botID == "" {
		botID = "28:" + p.a.cfg.AppID
	}
	id, err := p.a.conn.CreatePersonalChat(ctx, known.ServiceURL, botID, botName, ws, member)
	if err != nil {
		return store.TeamsConversation{}, err
	}
	conv = store.TeamsConversation{
		ID: baseConversation(id), ServiceURL: known.ServiceURL, TenantID: ws, Type: "personal",
		BotID: botID, BotName: botName, ChannelID: known.ChannelID, Updated: p.a.now().UTC(),
	}
	if conv.ChannelID == "" {
		conv.ChannelID = "msteams"
	}
	if err := p.a.store.SaveTeamsActivity(ctx, ws, conv, who); err != nil {
		p.a.log.Warn("teams: remember created personal chat", "workspace", ws, "user", user, "err", err)
	}
	return conv, nil
}

// reference reads the stored reference of a conversation (thread suffix
// ignored).
func (p *Poster) reference(ctx context.Context, ws, conversation string) (store.TeamsConversation, error) {
	ref, err := p.a.store.GetTeamsConversation(ctx, ws, baseConversation(conversation))
	if errors.Is(err, record.ErrNotFound) {
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
