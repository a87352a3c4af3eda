package teams

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/escalation"
)

// Invokes: the activities Teams sends for dialogs and message actions,
// answered in the HTTP response of /api/messages itself (Teams reads the
// answer from there; msbotbuilder-go would post it as a new message
// instead, which Teams does not take as the answer). They come through
// ServeHTTP, so the token, the tenant and the body size are checked exactly
// as for messages before anything here runs; the tenant and the user are
// always the activity's, never the card's.
//
//   - composeExtension/fetchTask: the "Escalate" message action (on a
//     message, in the compose box or the command box). The answer is the
//     dialog, prefilled from the message when there is one.
//   - task/fetch: the button of the card that answers `escalate` with no
//     arguments (the same dialog), or a card button that opens a form
//     ("Add note", "Reassign" on an escalation card: its value is the
//     form's prefill).
//   - composeExtension/submitAction and task/submit: the dialog's submit.
//     Refused fields show the dialog again with the messages under them;
//     a success is answered at once with a short confirmation, and the
//     announcement and the IT card are posted after the answer, in the
//     background (Teams waits 5 s for the answer).

// Invoke names.
const (
	invokeFetchTask    = "composeExtension/fetchTask"
	invokeSubmitAction = "composeExtension/submitAction"
	invokeTaskFetch    = "task/fetch"
	invokeTaskSubmit   = "task/submit"
)

// messageActions maps each message-extension command id of the manifest
// (composeExtensions[].commands[].id) to the form it opens. A test keeps
// the two in step.
var messageActions = map[string]string{
	"escalate": escalation.FormEscalate,
}

// invokeTimeout bounds the work done before an invoke is answered, within
// Teams' 5 s.
const invokeTimeout = 4 * time.Second

// Dialog sizes Teams offers by name.
const (
	dialogWidth  = "medium"
	dialogHeight = "large"
)

// invokeValue is the value of a dialog or message-action invoke.
type invokeValue struct {
	CommandID      string          `json:"commandId"`
	CommandContext string          `json:"commandContext"`
	MessagePayload *messagePayload `json:"messagePayload"`
	Data           json.RawMessage `json:"data"`
}

// messagePayload is the message a message action was used on.
type messagePayload struct {
	Body struct {
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	} `json:"body"`
	From struct {
		User *struct {
			ID          string `json:"id"` // the aad object id
			DisplayName string `json:"displayName"`
		} `json:"user"`
	} `json:"from"`
	LinkToMessage string `json:"linkToMessage"`
}

// taskResponse is an invoke's answer: a dialog to show (type "continue")
// or a message to show in its place (type "message").
type taskResponse struct {
	Task taskBody `json:"task"`
}

type taskBody struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// taskInfo is a dialog: its title, size and Adaptive Card.
type taskInfo struct {
	Title  string         `json:"title"`
	Width  string         `json:"width"`
	Height string         `json:"height"`
	Card   cardAttachment `json:"card"`
}

type cardAttachment struct {
	ContentType string     `json:"contentType"`
	Content     dialogCard `json:"content"`
}

// taskMessage answers an invoke with text shown in place of a dialog.
func taskMessage(text string) taskResponse {
	return taskResponse{Task: taskBody{Type: "message", Value: text}}
}

// maxTaskMessage bounds the text of a task message, in runes.
const maxTaskMessage = 1000

// Answers to invokes that cannot go on.
const (
	msgUnknownAction = "That action is not known here (the app may be from an older version of outcomebot): ask an admin to update it."
	msgBadSeal       = "That form could not be checked (it was opened by someone else, in another organisation, or by an older version of the bot). Nothing was done: open it again."
	msgBusy          = "outcomebot is restarting. Nothing was done: try again in a minute."
)

// serveInvoke answers an authenticated invoke activity.
func (a *Adapter) serveInvoke(w http.ResponseWriter, r *http.Request, act inboundActivity, log *slog.Logger) {
	log = log.With("invoke", act.Name)
	if act.Name == invokeCardAction {
		a.serveCardAction(w, r, act, log) // invoke_execute.go
		return
	}
	switch act.Name {
	case invokeFetchTask, invokeTaskFetch, invokeSubmitAction, invokeTaskSubmit:
	default:
		log.Debug("teams: invoke not handled")
		w.WriteHeader(http.StatusOK)
		return
	}
	var v invokeValue
	if len(act.Value) > 0 && json.Unmarshal(act.Value, &v) != nil {
		http.Error(w, "bad invoke value", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), invokeTimeout)
	defer cancel()
	req, ok := a.caller(ctx, act, log)
	if !ok {
		writeJSON(w, taskMessage(msgUnknownAction))
		return
	}
	log = log.With("user", req.User)
	switch act.Name {
	case invokeFetchTask:
		form, ok := messageActions[v.CommandID]
		if !ok {
			log.Warn("teams: unknown message action", "command", commands.Clip(v.CommandID, 64))
			writeJSON(w, taskMessage(msgUnknownAction))
			return
		}
		writeJSON(w, a.openDialog(ctx, req, act.ServiceURL, form, messagePrefill(v.MessagePayload)))
	case invokeTaskFetch:
		form := launcherForm(v.Data)
		if form == "" {
			writeJSON(w, taskMessage(msgUnknownAction))
			return
		}
		var prefill commands.FormValues
		if value := launcherValue(v.Data); value != "" {
			prefill = commands.FormValues{commands.ButtonValue: value}
		}
		writeJSON(w, a.openDialog(ctx, req, act.ServiceURL, form, prefill))
	default:
		if act.Name == invokeSubmitAction {
			if _, ok := messageActions[v.CommandID]; !ok {
				writeJSON(w, taskMessage(msgUnknownAction))
				return
			}
		}
		a.submitDialog(ctx, w, req, act, v.Data, log)
	}
}

// caller builds the core's Request for the activity's sender in its
// conversation; false when the activity names no user.
func (a *Adapter) caller(ctx context.Context, act inboundActivity, log *slog.Logger) (commands.Request, bool) {
	req := commands.Request{
		Workspace: act.tenant(),
		Channel:   baseConversation(act.Conversation.ID),
		User:      userID(act.From),
		UserName:  act.From.Name,
	}
	if req.User == "" {
		return req, false
	}
	a.admins.ensure(ctx, a.store, req.Workspace, act.From, a.now, log)
	return req, true
}

// openDialog answers with form id as a dialog for req, prefilled with
// prefill; a refusal (no outcomes yet, a missing role) is a task message.
func (a *Adapter) openDialog(ctx context.Context, req commands.Request, serviceURL, id string, prefill commands.FormValues) taskResponse {
	resp := a.core.OpenForm(ctx, req, id, prefill)
	if resp.Form == nil {
		return taskMessage(a.plainAnswer(ctx, req, serviceURL, resp))
	}
	return a.dialog(ctx, req, *resp.Form, nil)
}

// submitDialog checks a submitted dialog and runs it. The sealed data is
// checked first: a changed or foreign seal is refused with nothing done.
// Refused fields show the dialog again; a success is answered at once and
// its posts are delivered after the answer.
func (a *Adapter) submitDialog(ctx context.Context, w http.ResponseWriter, req commands.Request, act inboundActivity, data json.RawMessage, log *slog.Logger) {
	form, values, err := a.unseal(req, data)
	if err != nil {
		log.Warn("teams: dialog submission refused", "err", err)
		writeJSON(w, taskMessage(msgBadSeal))
		return
	}
	log = log.With("form", form)
	// The posting runs after the answer: hold its turn first, so a
	// success is never answered when the adapter is closing. The turn
	// waits for a slot after the answer, so a backlog of posts (paced to
	// Teams' limits) never delays the answer.
	if !a.holdTurn() {
		writeJSON(w, taskMessage(msgBusy))
		return
	}
	// The write runs without the invoke's deadline: one Redis finished
	// after it would be kept with its card and notices dropped.
	resp, errs := a.core.SubmitForm(context.WithoutCancel(ctx), req, form, values)
	if len(resp.Outgoing) == 0 {
		a.turns.Done()
	}
	if errs != nil {
		again := a.core.OpenForm(ctx, req, form, values)
		if again.Form == nil { // e.g. its last outcome was archived meanwhile
			msg := a.plainAnswer(ctx, req, act.ServiceURL, commands.Response{Text: fieldErrorsText(errs) + " " + again.Text})
			writeJSON(w, taskMessage(msg))
			return
		}
		for i, f := range again.Form.Fields {
			if v, ok := values[f.Name]; ok && f.Kind != commands.FieldHidden && f.Kind != commands.FieldChannel {
				again.Form.Fields[i].Value = v
			}
		}
		writeJSON(w, a.dialog(ctx, req, *again.Form, errs))
		return
	}
	writeJSON(w, taskMessage(a.plainAnswer(ctx, req, act.ServiceURL, resp)))
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if len(resp.Outgoing) == 0 {
		return
	}
	a.runWhenFree(ctx, log, func(ctx context.Context) {
		if err := a.core.Deliver(ctx, a.Poster(), resp.Outgoing); err != nil {
			log.Error("teams: deliver outgoing messages", "err", err)
		}
	})
}

// plainAnswer renders a Response's text as plain text for a task message:
// mentions become names, nothing can form a tag.
func (a *Adapter) plainAnswer(ctx context.Context, req commands.Request, serviceURL string, resp commands.Response) string {
	dir := a.directory(ctx, req.Workspace, serviceURL, req.Channel, []commands.Response{resp})
	text := plainText(resp.Text, dir)
	if text == "" {
		text = plainText(resp.Title, dir)
	}
	return clipRunes(strings.ReplaceAll(text, "<", "＜"), maxTaskMessage)
}

// fieldErrorsText joins a refusal's messages, field by field.
func fieldErrorsText(errs commands.FormErrors) string {
	var parts []string
	for _, k := range sortedKeys(errs) {
		parts = append(parts, strings.TrimSuffix(errs[k], ".")+".")
	}
	return strings.Join(parts, " ")
}

// launcherForm reads the form a task/fetch button names; "" when none.
func launcherForm(data json.RawMessage) string {
	var d struct {
		Form *formData `json:"outcomebot"`
	}
	if json.Unmarshal(data, &d) != nil || d.Form == nil {
		return ""
	}
	return d.Form.Form
}

// launcherValue reads the value of a card button that opens a form (the
// escalation id of "Add note"): a prefill the form checks like any input.
func launcherValue(data json.RawMessage) string {
	var d struct {
		Value string `json:"value"`
	}
	if json.Unmarshal(data, &d) != nil {
		return ""
	}
	return commands.Clip(commands.StripMarkers(d.Value), commands.MaxPickerValue)
}

// messagePrefill is what a message action on msg prefills: its text as
// the reason (plain, with mentions as "@name"), its link and its author.
// nil when the action was not used on a message.
func messagePrefill(msg *messagePayload) commands.FormValues {
	if msg == nil {
		return nil
	}
	text := msg.Body.Content
	if !strings.EqualFold(msg.Body.ContentType, "text") {
		text = htmlToText(text)
	}
	v := commands.FormValues{escalation.FieldReason: commands.QuoteText(text, escalation.MaxReason)}
	if link, ok := commands.SafeURL(msg.LinkToMessage); ok && strings.HasPrefix(link, "https://") {
		v[escalation.FieldMessageLink] = link
		if msg.From.User != nil {
			v[escalation.FieldMessageBy] = msg.From.User.ID
		}
	}
	return v
}

var (
	// atTag is a Teams mention in a message's HTML: <at id="0">Ann Lee</at>.
	atTag = regexp.MustCompile(`(?is)<at\b[^>]*>(.*?)</at\s*>`)
	// breakTag ends a line: <br>, </p>, </div>, </li>.
	breakTag = regexp.MustCompile(`(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|tr)\s*>`)
	// anyTag is any other tag (or a comment).
	anyTag = regexp.MustCompile(`(?s)<!--.*?-->|</?[A-Za-z][^>]*>`)
)

// htmlToText turns a Teams message's HTML into plain text: mentions
// become "@name", line-ending tags newlines, other tags are dropped, and
// entities are decoded; a tag typed as text ("&lt;at&gt;") is neutralised
// so it never reaches a card as one.
func htmlToText(s string) string {
	s = atTag.ReplaceAllStringFunc(s, func(m string) string {
		name := anyTag.ReplaceAllString(atTag.FindStringSubmatch(m)[1], "")
		return "@" + strings.TrimSpace(name)
	})
	s = breakTag.ReplaceAllString(s, "\n")
	s = anyTag.ReplaceAllString(s, "")
	return decodePlain(s)
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(marshalJSON(v))
}
