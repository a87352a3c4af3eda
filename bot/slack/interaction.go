package slack

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// serveInteraction answers POST /slack/interactions: a form whose one field,
// payload, holds the interaction as JSON. Slack is answered at once; the
// click is handled in the background.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	buf, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	payload := formField(*buf, "payload")
	release(buf)
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &ic); err != nil {
		http.Error(w, "invalid interaction payload", http.StatusBadRequest)
		return
	}
	if answer := a.answerInteraction(r.Context(), ic); answer != nil {
		writeJSON(w, answer)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// answerInteraction handles an interaction and returns what Slack must get
// in the HTTP response (or the Socket Mode ack), nil for an empty 200:
// a modal submission's field errors, or type-ahead options, computed now;
// everything else (button clicks, menu picks, shortcuts) is handled in the
// background after the answer.
func (a *Adapter) answerInteraction(ctx context.Context, ic slack.InteractionCallback) any {
	switch ic.Type {
	case slack.InteractionTypeBlockActions:
		a.background(func(ctx context.Context) { a.handleBlockActions(ctx, ic) })
	case slack.InteractionTypeShortcut, slack.InteractionTypeMessageAction:
		a.background(func(ctx context.Context) { a.startShortcut(ctx, ic) })
	case slack.InteractionTypeViewSubmission:
		if errs := a.submitModal(ctx, ic); errs != nil {
			return errs
		}
	case slack.InteractionTypeBlockSuggestion:
		return a.suggest(ctx, ic)
	default:
		a.log.LogAttrs(ctx, slog.LevelDebug, "slack interaction ignored", slog.String("type", string(ic.Type)))
	}
	return nil
}

// handleBlockActions runs each clicked button through the core: a form
// (the card's "Add note") opens as a modal with the click's trigger_id; a
// Replace response updates the card in place (chat.update); any other answer (such
// as a refusal) is shown only to the clicker and changes nothing. Outgoing
// messages (the requester's notice) are delivered after.
func (a *Adapter) handleBlockActions(ctx context.Context, ic slack.InteractionCallback) {
	ws := workspaceID(ic.Team.ID, ic.Enterprise.ID, ic.IsEnterpriseInstall)
	channel := ic.Channel.ID
	if channel == "" {
		channel = ic.Container.ChannelID
	}
	ts := ic.Container.MessageTs
	if ts == "" {
		ts = ic.Message.Timestamp
	}
	if _, err := a.workspaceToken(ctx, ws); err != nil {
		// No token to act or answer with, or none can be checked now: the
		// click changes nothing; say so through response_url.
		text := a.notInstalledText()
		if errors.Is(err, ErrNotInstalled) {
			a.log.LogAttrs(ctx, slog.LevelInfo, "slack interaction from a workspace without a token", attrWS(ws))
		} else {
			text = a.lookupFailed(ctx, ws, err)
		}
		if ic.ResponseURL != "" {
			if err := a.respond(ctx, ic.ResponseURL, ephemeralText(text)); err != nil {
				a.log.LogAttrs(ctx, slog.LevelWarn, "slack response_url answer failed", attrWS(ws), attrErr(err))
			}
		}
		return
	}
	if channel == "" && ic.User.ID != "" {
		// A click on the Home tab: it is republished (coalesced with the
		// changes the click makes) so it shows what the click did.
		defer func() {
			a.homes.opened(ws, ic.User.ID)
			a.homes.touched(ws, []string{ic.User.ID})
		}()
	}
	for _, act := range ic.ActionCallback.BlockActions {
		req := commands.Request{
			Workspace: ws,
			Channel:   channel,
			User:      ic.User.ID,
			UserName:  ic.User.Name,
			Action:    actionOf(act),
			Source:    commands.MessageRef{Channel: channel, ID: ts},
		}
		resp := a.core.Handle(ctx, req)
		log := a.log.With(attrWS(ws), attrChannel(channel), attrUser(ic.User.ID), slog.String("action", act.ActionID))
		if resp.Form != nil {
			// A button that opens a form ("Add note"): a modal, with the
			// click's trigger (good once, for three seconds).
			a.openModal(ctx, req, ic.TriggerID, resp)
			continue
		}
		if resp.Replace && ts != "" {
			if err := a.poster.Update(ctx, req.Source, ws, resp); err != nil {
				log.LogAttrs(ctx, slog.LevelWarn, "slack card update failed", attrErr(err))
				a.tellClicker(ctx, ws, channel, ic.User.ID, a.deliveryFailure(ctx, ws, err))
			}
		} else if resp.Text != "" || resp.Title != "" || len(resp.Sections) > 0 {
			a.tellClicker(ctx, ws, channel, ic.User.ID, resp)
		}
		if len(resp.Outgoing) > 0 {
			if err := a.core.Deliver(ctx, a.poster, resp.Outgoing); err != nil {
				log.LogAttrs(ctx, slog.LevelWarn, "slack delivery failed", attrErr(err))
				a.tellClicker(ctx, ws, channel, ic.User.ID, a.deliveryFailure(ctx, ws, err))
			}
		}
	}
}

// tellClicker shows resp to the clicking user only: an ephemeral message
// in the channel, or, for a click on a view (the App Home tab, which has
// no channel), a direct message from the bot.
func (a *Adapter) tellClicker(ctx context.Context, ws, channel, user string, resp commands.Response) {
	if user == "" {
		return
	}
	if channel == "" {
		a.tellPerson(ctx, ws, "", user, resp)
		return
	}
	resp.Buttons, resp.Replace, resp.Outgoing = nil, false, nil
	if err := a.poster.Ephemeral(ctx, ws, channel, user, resp); err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack ephemeral failed", attrWS(ws), attrChannel(channel), attrErr(err))
	}
}
