package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// socketAckLimit keeps a Socket Mode ack under Slack's 20 KB limit; a
// larger reply is acked short and sent through response_url.
const socketAckLimit = 16 << 10

// RunSocketMode receives commands, interactions and events over a Socket
// Mode WebSocket (for installs behind a firewall, no public URL) until ctx
// ends. Every envelope is acked; slash commands are answered in the ack.
// It needs Config.AppToken.
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	if a.cfg.AppToken == "" {
		return errors.New("slack: socket mode needs an app-level token (SLACK_APP_TOKEN)")
	}
	api := slack.New(a.cfg.BotToken,
		slack.OptionAppLevelToken(a.cfg.AppToken),
		slack.OptionAPIURL(a.cfg.APIURL),
		slack.OptionHTTPClient(a.http))
	client := socketmode.New(api)
	errc := make(chan error, 1)
	go func() {
		err := errors.New("socket mode client panicked")
		defer func() { errc <- err }()
		defer a.recoverPanic("slack socket mode client")
		err = client.RunContext(ctx)
	}()
	ack := func(req *socketmode.Request, payload any) error {
		if req == nil {
			return nil
		}
		return client.AckCtx(ctx, req.EnvelopeID, payload)
	}
	for {
		select {
		case evt := <-client.Events:
			a.safeSocketEvent(ctx, evt, ack)
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		}
	}
}

// safeSocketEvent is handleSocketEvent with a recover: a panic while
// dispatching one envelope is logged and counted, and the loop goes on.
func (a *Adapter) safeSocketEvent(ctx context.Context, evt socketmode.Event, ack ackFunc) {
	defer a.recoverPanic("slack socket mode event")
	a.handleSocketEvent(ctx, evt, ack)
}

// ackFunc acks a Socket Mode envelope, with an optional payload.
type ackFunc func(req *socketmode.Request, payload any) error

// handleSocketEvent dispatches one Socket Mode event to the same handlers
// as HTTP. Signature checks are not needed: the WebSocket is authenticated
// by the app-level token.
func (a *Adapter) handleSocketEvent(ctx context.Context, evt socketmode.Event, ack ackFunc) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			a.ackOrLog(ctx, ack, evt.Request, nil)
			return
		}
		// Each command runs on its own goroutine so a slow one never holds
		// up the envelopes behind it.
		start := a.reserveBackground()
		start(func(context.Context) { a.answerSocketCommand(ctx, cmd, evt.Request, ack) })
	case socketmode.EventTypeInteractive:
		ic, ok := evt.Data.(slack.InteractionCallback)
		if ok && (ic.Type == slack.InteractionTypeViewSubmission || ic.Type == slack.InteractionTypeBlockSuggestion) {
			// Answered in the ack, after a Redis round trip: on a goroutine
			// of its own, so the envelopes behind it are not held up.
			start := a.reserveBackground()
			start(func(context.Context) { a.ackOrLog(ctx, ack, evt.Request, a.answerInteraction(ctx, ic)) })
			return
		}
		var answer any
		if ok {
			// Clicks and shortcuts start in the background.
			answer = a.answerInteraction(ctx, ic)
		}
		a.ackOrLog(ctx, ack, evt.Request, answer)
	case socketmode.EventTypeEventsAPI:
		var env eventEnvelope
		if evt.Request == nil || json.Unmarshal(evt.Request.Payload, &env) != nil {
			a.ackOrLog(ctx, ack, evt.Request, nil)
			return
		}
		if err := a.acceptEvent(ctx, env); err != nil {
			return // not acked: Slack redelivers it
		}
		a.ackOrLog(ctx, ack, evt.Request, nil)
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello:
		a.log.LogAttrs(ctx, slog.LevelDebug, "slack socket mode", slog.String("state", string(evt.Type)))
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth, socketmode.EventTypeIncomingError,
		socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack socket mode trouble", slog.String("state", string(evt.Type)),
			slog.String("detail", fmt.Sprint(evt.Data)))
	default:
		if evt.Request != nil && evt.Request.EnvelopeID != "" {
			a.ackOrLog(ctx, ack, evt.Request, nil)
		}
	}
}

// answerSocketCommand runs a slash command and answers it in the envelope's
// ack; a reply too large for an ack is sent through response_url.
func (a *Adapter) answerSocketCommand(ctx context.Context, cmd slack.SlashCommand, req *socketmode.Request, ack ackFunc) {
	a.answerCommand(ctx, cmd, func(b replyBody) {
		if b.empty() {
			a.ackOrLog(ctx, ack, req, nil)
			return
		}
		js, err := json.Marshal(b)
		if err != nil || len(js) <= socketAckLimit {
			a.ackOrLog(ctx, ack, req, b)
			return
		}
		full := b
		start := a.reserveBackground()
		a.ackOrLog(ctx, ack, req, replyBody{ResponseType: typeEphemeral, Text: workingText})
		start(func(ctx context.Context) {
			a.respondAll(ctx, cmd.ResponseURL, full.ResponseType, []Message{{Text: full.Text, Blocks: full.Blocks}}, 1)
		})
	})
}

func (a *Adapter) ackOrLog(ctx context.Context, ack ackFunc, req *socketmode.Request, payload any) {
	if err := ack(req, payload); err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack socket mode ack failed", attrErr(err))
	}
}
