package slack

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// Forms on Slack are modals (see manifests/slack/README.md, "Forms and
// shortcuts"). A modal is opened with views.open and the trigger_id of the
// command or shortcut that asked for it; the trigger is good for three
// seconds and once. Its submission (view_submission) and its type-ahead
// (block_suggestion) must be answered in the HTTP response (or the Socket
// Mode ack) within three seconds: errors are shown on their fields with
// response_action "errors", an empty answer closes the modal.

// Callback ids: the modal's own, and the shortcuts the manifest declares,
// each naming the core form it opens.
const (
	modalCallbackID  = "outcomebot_form"
	shortcutEscalate = "escalate_blocked_work" // global shortcut
	shortcutMessage  = "escalate_message"      // message shortcut
	formEscalate     = "escalate"
)

// shortcutForms maps a shortcut's callback id to the form it opens.
var shortcutForms = map[string]string{shortcutEscalate: formEscalate, shortcutMessage: formEscalate}

// Slack's limits on modals.
const (
	maxModalTitle   = 24
	maxInputLabel   = 2000
	maxInputHint    = 2000
	maxTextInput    = 3000
	maxPlaceholder  = 150
	openViewTimeout = 2500 * time.Millisecond
	permalinkWait   = 800 * time.Millisecond
)

// formTimeout bounds the core's work on a suggestion (read only), so
// Slack is answered within its three seconds.
const formTimeout = 2500 * time.Millisecond

// tooLateText is told when views.open refuses the trigger (it expired or
// was used): the user only has to ask again.
const tooLateText = "That took too long to open, so no form appeared: run it again."

// renderModal turns a form into a modal view; sealed is its private_metadata.
func renderModal(f commands.Form, sealed string) slack.ModalViewRequest {
	v := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      modalCallbackID,
		Title:           plainObj(truncatePlain(f.Title, maxModalTitle)),
		Submit:          plainObj(truncatePlain(orDefault(f.Submit, "Submit"), maxModalTitle)),
		Close:           plainObj("Cancel"),
		PrivateMetadata: sealed,
	}
	if f.Intro != "" {
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, slack.NewSectionBlock(mrkdwnObj(firstChunk(mrkdwn(f.Intro), maxSectionText)), nil, nil))
	}
	for _, fld := range f.Fields {
		if b := inputBlock(fld); b != nil {
			v.Blocks.BlockSet = append(v.Blocks.BlockSet, b)
		}
	}
	return v
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// inputBlock renders one field; hidden fields render nothing (they travel
// sealed in private_metadata).
func inputBlock(fld commands.FormField) *slack.InputBlock {
	var el slack.BlockElement
	placeholder := func() *slack.TextBlockObject {
		if fld.Placeholder == "" {
			return nil
		}
		return plainObj(truncatePlain(fld.Placeholder, maxPlaceholder))
	}
	switch fld.Kind {
	case commands.FieldHidden:
		return nil
	case commands.FieldText, commands.FieldLongText:
		in := slack.NewPlainTextInputBlockElement(placeholder(), fld.Name)
		in.Multiline = fld.Kind == commands.FieldLongText
		in.MaxLength = maxTextInput
		if fld.MaxLen > 0 && fld.MaxLen < maxTextInput {
			in.MaxLength = fld.MaxLen
		}
		in.InitialValue = clipRunes(fld.Value, in.MaxLength)
		el = in
	case commands.FieldSelect:
		if fld.Suggest {
			sel := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, placeholder(), fld.Name)
			zero := 0
			sel.MinQueryLength = &zero
			el = sel
			break
		}
		var opts []*slack.OptionBlockObject
		var initial *slack.OptionBlockObject
		for i, o := range fld.Options {
			if i == maxSelectOptions {
				break
			}
			opt := slack.NewOptionBlockObject(clip(o.Value, maxOptionValue), plainObj(truncatePlain(commands.PlainText(o.Label), maxOptionText)), nil)
			if o.Value == fld.Value {
				initial = opt
			}
			opts = append(opts, opt)
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, placeholder(), fld.Name, opts...)
		sel.InitialOption = initial
		el = sel
	case commands.FieldChannel:
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plainObj("Pick a channel"), fld.Name)
		sel.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}, ExcludeBotUsers: true}
		if isChannelID(fld.Value) {
			sel.InitialConversation = fld.Value
		}
		el = sel
	case commands.FieldUser:
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plainObj(truncatePlain(orDefault(fld.Placeholder, "Pick a person"), maxPlaceholder)), fld.Name)
		if isUserID(fld.Value) {
			sel.InitialUser = fld.Value
		}
		el = sel
	default:
		return nil
	}
	var hint *slack.TextBlockObject
	if fld.Hint != "" {
		hint = plainObj(truncatePlain(fld.Hint, maxInputHint))
	}
	b := slack.NewInputBlock(fld.Name, plainObj(truncatePlain(orDefault(fld.Label, fld.Name), maxInputLabel)), hint, el)
	b.Optional = fld.Optional
	return b
}

// isChannelID reports whether id is a public or private channel id a
// channel picker can start on (not a DM, which the bot cannot post in).
func isChannelID(id string) bool { return isSlackID(id) && strings.IndexByte("CG", id[0]) >= 0 }

// isUserID reports whether id is a Slack user id a user picker can start on.
func isUserID(id string) bool { return isSlackID(id) && strings.IndexByte("UW", id[0]) >= 0 }

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// openForm asks the core for form id, prefilled, and opens it as a modal
// with trigger. A refusal (no outcomes yet) or a trigger Slack no longer
// takes is told to the user (ephemeral in channel, or by DM).
func (a *Adapter) openForm(ctx context.Context, req commands.Request, trigger, id string, prefill commands.FormValues) {
	resp := a.core.OpenForm(ctx, req, id, prefill)
	if resp.Form == nil {
		a.tellPerson(ctx, req.Workspace, req.Channel, req.User, resp)
		return
	}
	a.openModal(ctx, req, trigger, resp)
}

// openModal opens resp.Form for req's user; when Slack refuses, the user
// is told (with resp's text, which says what to type instead).
func (a *Adapter) openModal(ctx context.Context, req commands.Request, trigger string, resp commands.Response) {
	f := *resp.Form
	st := modalState{Form: f.ID, Team: req.Workspace, User: req.User, Channel: req.Channel}
	for _, fld := range f.Fields {
		if fld.Kind == commands.FieldHidden && fld.Value != "" {
			if st.Hidden == nil {
				st.Hidden = map[string]string{}
			}
			st.Hidden[fld.Name] = fld.Value
		}
	}
	log := a.log.With(attrWS(req.Workspace), attrUser(req.User), slog.String("form", f.ID))
	sealed, err := a.modals.seal(st)
	if err != nil {
		log.LogAttrs(ctx, slog.LevelWarn, "slack modal state too large: hidden fields dropped", attrErr(err))
		st.Hidden = nil
		sealed, _ = a.modals.seal(st)
	}
	api, err := a.poster.client(ctx, req.Workspace)
	if err == nil {
		octx, cancel := context.WithTimeout(ctx, openViewTimeout)
		_, err = api.OpenViewContext(octx, trigger, renderModal(f, sealed))
		cancel()
	}
	if err == nil {
		return
	}
	text := "I could not open the form just now. " + resp.Text
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && (se.Err == "expired_trigger_id" || se.Err == "invalid_trigger_id" || se.Err == "exchanged_trigger_id") ||
		errors.Is(err, context.DeadlineExceeded) {
		text = tooLateText
	}
	log.LogAttrs(ctx, slog.LevelWarn, "slack views.open failed", attrErr(err))
	a.tellPerson(ctx, req.Workspace, req.Channel, req.User, commands.Response{Text: text})
}

// tellPerson shows resp to user only: ephemeral in channel when there is
// one and the bot may post there, else in the user's DM with the bot.
func (a *Adapter) tellPerson(ctx context.Context, ws, channel, user string, resp commands.Response) {
	resp.Buttons, resp.Replace, resp.Outgoing, resp.Form = nil, false, nil, nil
	if channel != "" {
		err := a.poster.Ephemeral(ctx, ws, channel, user, resp)
		if err == nil {
			return
		}
		a.log.LogAttrs(ctx, slog.LevelInfo, "slack ephemeral refused: telling the user by DM", attrWS(ws), attrChannel(channel), attrErr(err))
	}
	resp.Visibility = commands.InChannel
	if _, err := a.poster.PostDirect(ctx, ws, user, resp); err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack direct message failed", attrWS(ws), attrUser(user), attrErr(err))
	}
}

// startShortcut opens the form of a global or message shortcut. Slack was
// answered already; the trigger has three seconds.
func (a *Adapter) startShortcut(ctx context.Context, ic slack.InteractionCallback) {
	ws := workspaceID(ic.Team.ID, ic.Enterprise.ID, ic.IsEnterpriseInstall)
	id, ok := shortcutForms[ic.CallbackID]
	if !ok || ws == "" || ic.User.ID == "" {
		a.log.LogAttrs(ctx, slog.LevelInfo, "slack shortcut ignored", slog.String("callback_id", ic.CallbackID))
		return
	}
	if _, err := a.workspaceToken(ctx, ws); err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack shortcut from a workspace without a usable token", attrWS(ws), attrErr(err))
		return
	}
	req := commands.Request{Workspace: ws, User: ic.User.ID, UserName: ic.User.Name, Channel: ic.Channel.ID, Command: "/escalate"}
	var prefill commands.FormValues
	if ic.Type == slack.InteractionTypeMessageAction {
		prefill = commands.FormValues{commands.MessageText: inboundText(ic.Message.Text), commands.MessageBy: ic.Message.User}
		if link := a.permalink(ctx, ws, ic.Channel.ID, ic.Message.Timestamp); link != "" {
			prefill[commands.MessageLink] = link
		}
	}
	a.openForm(ctx, req, ic.TriggerID, id, prefill)
}

// permalink asks chat.getPermalink for a message's link, briefly (the
// trigger is waiting); "" when Slack does not say.
func (a *Adapter) permalink(ctx context.Context, ws, channel, ts string) string {
	if channel == "" || ts == "" {
		return ""
	}
	api, err := a.poster.client(ctx, ws)
	if err != nil {
		return ""
	}
	pctx, cancel := context.WithTimeout(ctx, permalinkWait)
	defer cancel()
	link, err := api.GetPermalinkContext(pctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelInfo, "slack chat.getPermalink failed: the escalation keeps no link", attrWS(ws), attrChannel(channel), attrErr(err))
		return ""
	}
	return link
}

// staleFormText is shown on a submission whose sealed state does not check
// out: changed, or the form of another user or workspace.
const staleFormText = "This form was changed or is not yours, so nothing was done. Close it and open it again."

// submitModal answers a view_submission: the errors to show on the
// fields, or nil to close the modal. The core's answer and the posting
// happen after, in the background.
func (a *Adapter) submitModal(ctx context.Context, ic slack.InteractionCallback) *slack.ViewSubmissionResponse {
	if ic.View.CallbackID != modalCallbackID {
		return nil
	}
	ws := workspaceID(ic.Team.ID, ic.Enterprise.ID, ic.IsEnterpriseInstall)
	first := firstInputBlock(ic.View)
	if _, err := a.workspaceToken(ctx, ws); err != nil {
		text := a.notInstalledText()
		if !errors.Is(err, ErrNotInstalled) {
			text = a.lookupFailed(ctx, ws, err)
		}
		return slack.NewErrorsViewSubmissionResponse(map[string]string{first: commands.PlainText(text)})
	}
	st, err := a.modals.open(ic.View.PrivateMetadata, ws, ic.User.ID)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack modal state refused", attrWS(ws), attrUser(ic.User.ID), attrErr(err))
		return slack.NewErrorsViewSubmissionResponse(map[string]string{first: staleFormText})
	}
	// The inputs the modal shows, then the sealed hidden values, which no
	// input can overwrite.
	values := commands.FormValues{}
	if ic.View.State != nil {
		for block, acts := range ic.View.State.Values {
			if act, ok := acts[block]; ok {
				values[block] = inputValue(act)
			}
		}
	}
	for _, name := range []string{commands.MessageLink, commands.MessageBy} {
		delete(values, name)
	}
	for name, v := range st.Hidden {
		values[name] = v
	}
	req := commands.Request{Workspace: ws, User: ic.User.ID, UserName: ic.User.Name, Channel: st.Channel, Command: "/escalate"}
	// No deadline of our own: a write that Redis completes after a deadline
	// would be done with its messages dropped. Redis's own timeouts bound
	// it; Slack's three seconds are almost always left over.
	resp, fe := a.core.SubmitForm(context.WithoutCancel(ctx), req, st.Form, values)
	if fe != nil {
		return slack.NewErrorsViewSubmissionResponse(fieldErrors(fe, ic.View, first))
	}
	where := values["channel"]
	if where == "" {
		where = st.Channel
	}
	start := a.reserveBackground()
	start(func(ctx context.Context) {
		if len(resp.Outgoing) > 0 {
			if err := a.core.Deliver(ctx, a.poster, resp.Outgoing); err != nil {
				a.log.LogAttrs(ctx, slog.LevelWarn, "slack delivery failed", attrWS(ws), attrErr(err))
				a.tellPerson(ctx, ws, where, req.User, a.deliveryFailure(ctx, ws, err))
			}
		}
		a.tellPerson(ctx, ws, where, req.User, resp)
	})
	return nil
}

// inputValue reads one input element's value from view state.
func inputValue(act slack.BlockAction) string {
	switch {
	case act.SelectedOption.Value != "":
		return act.SelectedOption.Value
	case act.SelectedConversation != "":
		return act.SelectedConversation
	case act.SelectedChannel != "":
		return act.SelectedChannel
	case act.SelectedUser != "":
		return act.SelectedUser
	}
	return act.Value
}

// firstInputBlock is the block id of the view's first input (where errors
// that belong to no one field are shown).
func firstInputBlock(v slack.View) string {
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			return in.BlockID
		}
	}
	return "outcome"
}

// fieldErrors maps the core's field errors onto the view's input blocks;
// an error for a field the view does not show goes on the first one.
func fieldErrors(fe commands.FormErrors, v slack.View, first string) map[string]string {
	shown := map[string]bool{}
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			shown[in.BlockID] = true
		}
	}
	out := map[string]string{}
	for field, msg := range fe {
		block := field
		if !shown[block] {
			block = first
		}
		if out[block] != "" {
			msg = out[block] + " " + msg
		}
		out[block] = truncatePlain(msg, maxInputHint)
	}
	return out
}

// suggest answers a block_suggestion: the choices matching what the user
// typed, for a modal whose sealed state checks out.
func (a *Adapter) suggest(ctx context.Context, ic slack.InteractionCallback) slack.OptionsResponse {
	ws := workspaceID(ic.Team.ID, ic.Enterprise.ID, ic.IsEnterpriseInstall)
	st, err := a.modals.open(ic.View.PrivateMetadata, ws, ic.User.ID)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack suggestion for a modal state refused", attrWS(ws), attrUser(ic.User.ID), attrErr(err))
		return slack.OptionsResponse{Options: []*slack.OptionBlockObject{}}
	}
	req := commands.Request{Workspace: ws, User: ic.User.ID, Channel: st.Channel, Command: "/escalate"}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), formTimeout)
	defer cancel()
	opts := []*slack.OptionBlockObject{}
	for _, c := range a.core.SuggestForm(sctx, req, st.Form, ic.ActionID, ic.Value) {
		opts = append(opts, slack.NewOptionBlockObject(clip(c.Value, maxOptionValue), plainObj(truncatePlain(commands.PlainText(c.Label), maxOptionText)), nil))
	}
	return slack.OptionsResponse{Options: opts}
}
