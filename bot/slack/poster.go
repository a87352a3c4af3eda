package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// ErrNotInChannel means Slack refused a post because the bot is not a
// member of the channel (not_in_channel), or cannot see it at all
// (channel_not_found, e.g. a private channel it was never invited to).
var ErrNotInChannel = errors.New("outcomebot is not in the channel")

// ChannelError is a post refused for ErrNotInChannel; it names the channel
// so the message to the user can say where to invite the bot.
type ChannelError struct {
	Channel string
	Code    string // Slack's error code
}

func (e *ChannelError) Error() string {
	return fmt.Sprintf("post in %s: %s", e.Channel, e.Code)
}

// Unwrap makes errors.Is(err, ErrNotInChannel) hold.
func (e *ChannelError) Unwrap() error { return ErrNotInChannel }

// ArchivedError is a post refused because the channel is archived
// (is_archived, channel_is_archived). It wraps commands.ErrUndeliverable:
// retrying cannot help, the channel has to change.
type ArchivedError struct {
	Channel string
	Code    string // Slack's error code
}

func (e *ArchivedError) Error() string {
	return fmt.Sprintf("post in %s: %s: #%s is archived; pick another channel with /outcome set <key> it-channel=#channel, or /digest subscribe in another channel",
		e.Channel, e.Code, e.Channel)
}

// Unwrap makes errors.Is(err, commands.ErrUndeliverable) hold.
func (e *ArchivedError) Unwrap() error { return commands.ErrUndeliverable }

// Poster posts and updates messages in Slack for the core. It renders each
// Response with Render, resolves the workspace's bot token, paces posts per
// channel and per workspace, and retries what Slack says can be retried.
type Poster struct {
	tokens *tokens
	api    func(token string) webAPI
	pacer  *pacer
	log    *slog.Logger
	obs    Observer // nil: nobody observes (see Adapter.SetObserver)
	names  *names   // nil: name spans show as ids
}

var _ commands.Poster = (*Poster)(nil)

// Post posts msg at to. A message too long for one Slack message continues
// in its thread. With to.Update set, it replaces that message instead.
func (p *Poster) Post(ctx context.Context, to commands.Destination, msg commands.Response) (commands.MessageRef, error) {
	if to.Update != "" {
		ref := commands.MessageRef{Channel: to.Channel, ID: to.Update}
		return ref, p.Update(ctx, ref, to.Workspace, msg)
	}
	msgs := Render(p.names.resolve(ctx, to.Workspace, msg))
	if len(msgs) == 0 {
		return commands.MessageRef{}, fmt.Errorf("post in %s: empty message", to.Channel)
	}
	api, err := p.client(ctx, to.Workspace)
	if err != nil {
		return commands.MessageRef{}, fmt.Errorf("post in %s: %w", to.Channel, err)
	}
	ref, err := p.postOne(ctx, api, to.Workspace, to.Channel, to.Thread, msgs[0])
	if err != nil {
		return commands.MessageRef{}, err
	}
	thread := to.Thread
	if thread == "" {
		thread = ref.ID
	}
	for _, m := range msgs[1:] {
		if _, err := p.postOne(ctx, api, to.Workspace, ref.Channel, thread, m); err != nil {
			return ref, fmt.Errorf("post continuation: %w", err)
		}
	}
	return ref, nil
}

// Update replaces the message ref with msg (chat.update). Content beyond one
// message is left out of an update, and logged.
func (p *Poster) Update(ctx context.Context, ref commands.MessageRef, workspace string, msg commands.Response) error {
	msgs := Render(p.names.resolve(ctx, workspace, msg))
	if len(msgs) == 0 {
		return fmt.Errorf("update %s in %s: empty message", ref.ID, ref.Channel)
	}
	if len(msgs) > 1 {
		p.log.LogAttrs(ctx, slog.LevelWarn, "slack update too long: continuation left out",
			attrWS(workspace), attrChannel(ref.Channel), slog.Int("messages", len(msgs)))
	}
	api, err := p.client(ctx, workspace)
	if err != nil {
		return fmt.Errorf("update %s in %s: %w", ref.ID, ref.Channel, err)
	}
	if err := p.pacer.wait(ctx, workspace, ref.Channel); err != nil {
		return fmt.Errorf("update %s in %s: %w", ref.ID, ref.Channel, err)
	}
	return p.retry(ctx, "update "+ref.ID+" in "+ref.Channel, true, func() error {
		opts := msgOptions(msgs[0])
		if msgs[0].Blocks == nil {
			opts = append(opts, slack.MsgOptionBlocks()) // clear the card's old blocks
		}
		_, _, _, err := api.UpdateMessageContext(ctx, ref.Channel, ref.ID, opts...)
		return channelError(ref.Channel, err)
	})
}

// PostDirect posts msg in user's direct message with the bot: the DM is
// opened with conversations.open (scope im:write), then posted to.
func (p *Poster) PostDirect(ctx context.Context, ws, user string, msg commands.Response) (commands.MessageRef, error) {
	api, err := p.client(ctx, ws)
	if err != nil {
		return commands.MessageRef{}, fmt.Errorf("direct message to %s: %w", user, err)
	}
	var ch *slack.Channel
	// Opening a DM that exists returns it: safe to send again.
	err = p.retry(ctx, "open direct message with "+user, true, func() error {
		var err error
		ch, _, _, err = api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		return err
	})
	if err != nil {
		return commands.MessageRef{}, fmt.Errorf("direct message to %s: %w", user, err)
	}
	return p.Post(ctx, commands.Destination{Workspace: ws, Channel: ch.ID}, msg)
}

var _ commands.DirectPoster = (*Poster)(nil)

// Ephemeral shows msg to user only, in channel (chat.postEphemeral).
func (p *Poster) Ephemeral(ctx context.Context, workspace, channel, user string, msg commands.Response) error {
	api, err := p.client(ctx, workspace)
	if err != nil {
		return fmt.Errorf("post ephemeral in %s: %w", channel, err)
	}
	for _, m := range Render(p.names.resolve(ctx, workspace, msg)) {
		_, err := p.withoutRefusedCharts(ctx, workspace, channel, m, func(m Message) (commands.MessageRef, error) {
			return commands.MessageRef{}, p.retry(ctx, "post ephemeral in "+channel, false, func() error {
				_, err := api.PostEphemeralContext(ctx, channel, user, msgOptions(m)...)
				return channelError(channel, err)
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// withoutRefusedCharts sends m; when Slack refuses its chart blocks, it
// sends m again without them (the text says the same in words), so a
// message is never lost to a chart.
func (p *Poster) withoutRefusedCharts(ctx context.Context, ws, channel string, m Message, send func(Message) (commands.MessageRef, error)) (commands.MessageRef, error) {
	ref, err := send(m)
	if bare, ok := withoutCharts(m); ok && rejectedBlocks(err) {
		p.log.LogAttrs(ctx, slog.LevelWarn, "slack refused a chart block: posted without charts",
			attrWS(ws), attrChannel(channel), slog.String("err", err.Error()))
		return send(bare)
	}
	return ref, err
}

// postOne paces and posts one rendered message, under thread if set.
func (p *Poster) postOne(ctx context.Context, api webAPI, ws, channel, thread string, m Message) (commands.MessageRef, error) {
	if err := p.pacer.wait(ctx, ws, channel); err != nil {
		return commands.MessageRef{}, fmt.Errorf("post in %s: %w", channel, err)
	}
	return p.withoutRefusedCharts(ctx, ws, channel, m, func(m Message) (commands.MessageRef, error) {
		return p.postBlocks(ctx, api, channel, thread, m)
	})
}

// postBlocks posts one rendered message, retrying what can be retried.
func (p *Poster) postBlocks(ctx context.Context, api webAPI, channel, thread string, m Message) (commands.MessageRef, error) {
	opts := msgOptions(m)
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	var ref commands.MessageRef
	err := p.retry(ctx, "post in "+channel, false, func() error {
		ch, ts, err := api.PostMessageContext(ctx, channel, opts...)
		if err == nil {
			if ch == "" {
				ch = channel
			}
			ref = commands.MessageRef{Channel: ch, ID: ts}
		}
		return channelError(channel, err)
	})
	return ref, err
}

// client returns the Web API client for the workspace's token.
func (p *Poster) client(ctx context.Context, ws string) (webAPI, error) {
	tok, err := p.tokens.token(ctx, ws)
	if err != nil {
		return nil, err
	}
	return p.api(tok), nil
}

// msgOptions are the chat.* options for a rendered message. The text is
// already escaped; link_names and parse=full are never set.
func msgOptions(m Message) []slack.MsgOption {
	opts := make([]slack.MsgOption, 0, 3)
	opts = append(opts, slack.MsgOptionText(m.Text, false))
	if m.Blocks != nil {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	return opts
}

// channelError turns Slack's not_in_channel and channel_not_found into a
// *ChannelError, and is_archived and channel_is_archived into an
// *ArchivedError; other errors pass through.
func channelError(channel string, err error) error {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return err
	}
	switch se.Err {
	case "not_in_channel", "channel_not_found":
		return &ChannelError{Channel: channel, Code: se.Err}
	case "is_archived", "channel_is_archived":
		return &ArchivedError{Channel: channel, Code: se.Err}
	}
	return err
}
