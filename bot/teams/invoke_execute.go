package teams

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// The adaptiveCard/action invoke: a click on a card's Action.Execute
// button, or a client asking for its user's view of a card (the verb
// "refresh"; see render_execute.go). Like every invoke it comes through
// ServeHTTP, so the token and the tenant are checked before anything here
// runs, and the user is the activity's. The button's data is only echoed
// by the client: it is read as the neutral Action exactly as an
// Action.Submit's (inbound.go) and the core checks who may do it. The
// answer is in the HTTP response:
//
//   - the action replaces its card (an acknowledgement): the updated card,
//     which the clicker sees at once; the card's message is also updated
//     in the conversation for everyone, after the answer;
//   - a text answer meant for the clicker (a refusal such as "you need the
//     it-lead role"): a message shown to the clicker only, never a post;
//   - anything else (a new card, a dialog launcher, an answer for the
//     whole channel): posted in the conversation as before, and the
//     clicker is told so.
//
// Follow-ups (the Thread, the Outgoing messages: the raiser's notice, the
// other copies of the card) go out after the answer, through the connector
// and the Poster as before.

// invokeCardAction is the invoke of an Action.Execute.
const invokeCardAction = "adaptiveCard/action"

// cardTTL is how long a card with a refresh is remembered for refreshes
// (store.SaveTeamsCard); each update starts it again.
const cardTTL = 30 * 24 * time.Hour

// Types of an adaptiveCard/action answer.
const (
	executeCardType    = cardContentType
	executeMessageType = "application/vnd.microsoft.activity.message"
)

// Answers of card actions that cannot go on.
const (
	msgPosted    = "Done: the answer is in the conversation."
	msgNoRefresh = "This card can no longer be refreshed; it shows its last state."
)

// executeValue is the value of an adaptiveCard/action invoke.
type executeValue struct {
	Action struct {
		Type string          `json:"type"`
		Verb string          `json:"verb"`
		Data json.RawMessage `json:"data"`
	} `json:"action"`
}

// executeResponse answers an adaptiveCard/action invoke: a card in place
// of the clicked one, or a message for the clicker.
type executeResponse struct {
	StatusCode int    `json:"statusCode"`
	Type       string `json:"type"`
	Value      any    `json:"value"`
}

func executeCard(c card) executeResponse {
	return executeResponse{StatusCode: http.StatusOK, Type: executeCardType, Value: c}
}

func executeMessage(text string) executeResponse {
	return executeResponse{StatusCode: http.StatusOK, Type: executeMessageType, Value: text}
}

// serveCardAction answers an authenticated adaptiveCard/action invoke.
func (a *Adapter) serveCardAction(w http.ResponseWriter, r *http.Request, act inboundActivity, log *slog.Logger) {
	var v executeValue
	if len(act.Value) == 0 || json.Unmarshal(act.Value, &v) != nil {
		http.Error(w, "bad invoke value", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), invokeTimeout)
	defer cancel()
	req, ok := a.caller(ctx, act, log)
	if !ok {
		writeJSON(w, executeMessage(msgUnknownAction))
		return
	}
	log = log.With("user", req.User, "verb", commands.Clip(v.Action.Verb, 64))
	if v.Action.Verb == refreshVerb {
		writeJSON(w, a.refreshView(ctx, req, act, log))
		return
	}
	action, ok := inboundActivity{Value: v.Action.Data}.submit()
	if !ok {
		log.Warn("teams: card action without an action")
		writeJSON(w, executeMessage(msgUnknownAction))
		return
	}
	req.Action = action
	req.Source = commands.MessageRef{Channel: act.Conversation.ID, ID: act.ReplyToID}
	log = log.With("action", action.Name, "value", action.Value)
	// The follow-ups run after the answer: hold their turn first, so an
	// action is never done when the adapter is closing.
	if !a.holdTurn() {
		writeJSON(w, executeMessage(msgBusy))
		return
	}
	resp := a.core.Handle(ctx, req)
	answer, rest := a.executeAnswer(ctx, req, act, resp)
	writeJSON(w, answer)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if rest == nil {
		a.turns.Done()
		return
	}
	a.runWhenFree(ctx, log, func(ctx context.Context) {
		if err := a.reply(ctx, act, req, *rest); err != nil {
			log.Error("teams: card action reply", "err", err)
		}
		if len(resp.Outgoing) > 0 {
			if err := a.core.Deliver(ctx, a.Poster(), resp.Outgoing); err != nil {
				log.Error("teams: deliver outgoing messages", "err", err)
			}
		}
	})
}

// executeAnswer is the invoke's answer to resp and what is left to post in
// the conversation afterwards (nil: nothing, Outgoing included).
func (a *Adapter) executeAnswer(ctx context.Context, req commands.Request, act inboundActivity, resp commands.Response) (executeResponse, *commands.Response) {
	rest := resp
	answer := executeMessage(msgPosted)
	textOnly := resp.Title == "" && len(resp.Sections) == 0 && len(resp.Buttons) == 0 && resp.Form == nil
	switch {
	case resp.Replace && act.ReplyToID != "" && !isEmpty(resp) && resp.Form == nil:
		scope := memberScope(nestedString(act.ChannelData, "team", "id"), act.Conversation.ID)
		dir := a.directory(ctx, req.Workspace, act.ServiceURL, scope, []commands.Response{resp})
		if c, ok := renderResponse(resp, dir)[0].card(); ok {
			answer = executeCard(c)
			a.rememberCard(ctx, req.Workspace, act.Conversation.ID, act.ReplyToID, c)
		}
	case textOnly && resp.Visibility == commands.Ephemeral:
		answer = executeMessage(a.plainAnswer(ctx, req, act.ServiceURL, resp))
		if isEmpty(resp) {
			answer = executeMessage("Done.")
		}
		// Only for the clicker: what is left is the Thread.
		rest = commands.Response{Thread: resp.Thread}
	}
	if isEmpty(rest) && rest.Form == nil && len(rest.Thread) == 0 && len(resp.Outgoing) == 0 {
		return answer, nil
	}
	return answer, &rest
}

// card is the message's Adaptive Card, if it is one.
func (m message) card() (card, bool) {
	if len(m.Attachments) != 1 {
		return card{}, false
	}
	c, ok := m.Attachments[0].Content.(card)
	return c, ok
}

// refreshView is the card the invoke's message shows, as the caller should
// see it: with its buttons for the people its refresh names and for
// it-leads and admins, read-only for everyone else.
func (a *Adapter) refreshView(ctx context.Context, req commands.Request, act inboundActivity, log *slog.Logger) executeResponse {
	raw, err := a.store.GetTeamsCard(ctx, req.Workspace, cardKey(act.Conversation.ID, act.ReplyToID))
	var c card
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		if !errors.Is(err, record.ErrNotFound) {
			log.Error("teams: read card for refresh", "err", err)
		}
		return executeMessage(msgNoRefresh)
	}
	if c.isActor(act.From.ID, req.User) || a.mayActOnAny(ctx, req, log) {
		return executeCard(c)
	}
	return executeCard(readOnly(c))
}

// mayActOnAny reports whether the caller is an it-lead or admin, who may
// act on any card (the core checks again on every press). Configured
// admins count (Core.RolesOf); one named by Bot Framework id was granted
// the role on its aad id when its request came in (adminBridge.ensure).
func (a *Adapter) mayActOnAny(ctx context.Context, req commands.Request, log *slog.Logger) bool {
	roles, err := a.core.RolesOf(ctx, req.Workspace, req.User)
	if err != nil {
		log.Error("teams: read roles for refresh", "err", err)
		return false
	}
	return slices.Contains(roles, record.RoleITLead) || slices.Contains(roles, record.RoleAdmin)
}

// rememberCard records card c, posted as activity id in conv, for
// refreshes: a card with a refresh, or any card replacing one (so a
// refresh never shows an older state). Failures are logged; a refresh
// then answers that the card cannot be refreshed, and the card itself
// still shows.
func (a *Adapter) rememberCard(ctx context.Context, ws, conv, id string, c card) {
	if id == "" {
		return
	}
	if err := a.store.SaveTeamsCard(ctx, ws, cardKey(conv, id), marshalJSON(c), cardTTL); err != nil {
		a.log.Warn("teams: remember card for refresh", "workspace", ws, "activity", id, "err", err)
	}
}

// cardKey names a remembered card by its conversation and activity id, so
// a refresh only ever finds a card of the conversation it comes from.
func cardKey(conv, id string) string {
	return baseConversation(conv) + "/" + id
}
