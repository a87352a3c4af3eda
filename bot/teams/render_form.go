package teams

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/outcomebot/outcomebot/commands"
)

// This file renders a commands.Form as a Teams dialog (an Adaptive Card
// in a task module), the card that opens one from a chat, and seals what
// the dialog carries unseen.
//
// A dialog's inputs come back merged into its submit button's data, at
// its top level, by input id (the field's name). What the user does not
// edit (hidden fields, and the conversation to announce in: Teams has no
// channel picker, so a form's channel is the conversation it was opened
// in) travels in that data under "outcomebot", with the names of the
// visible fields, sealed: an HMAC-SHA256 over the tenant, the user's id,
// the form id, the visible names and the hidden values, keyed from the
// app's client secret. A submission whose seal does not match (a changed
// value, another user's or another tenant's dialog, a secret rotated
// since) is refused with nothing done. Only the sealed visible names are
// read from the inputs, so a forged extra input cannot set a hidden field.

// teamsAction is the msteams part of a button's data ("task/fetch").
type teamsAction struct {
	Type string `json:"type"`
}

// formData is the form a button opens, or a dialog's sealed data.
type formData struct {
	Form   string            `json:"f"`
	Fields []string          `json:"v,omitempty"` // visible field names
	Hidden map[string]string `json:"h,omitempty"` // hidden and channel fields
	Seal   string            `json:"s,omitempty"`
}

// dialogCard is the Adaptive Card of a dialog.
type dialogCard struct {
	Type    string          `json:"type"`
	Schema  string          `json:"$schema"`
	Version string          `json:"version"`
	Body    []dialogElement `json:"body"`
	Actions []dialogAction  `json:"actions"`
}

// dialogElement is a TextBlock, Input.Text or Input.ChoiceSet of a dialog.
type dialogElement = element

// dialogAction is the dialog's submit button.
type dialogAction struct {
	Type  string     `json:"type"`
	Title string     `json:"title"`
	Style string     `json:"style,omitempty"`
	Data  dialogData `json:"data"`
}

type dialogData struct {
	Form formData `json:"outcomebot"`
}

// maxDialogChoices bounds the options of one menu in a dialog; a menu of
// more than commands.MaxPickerOptions is filtered as the user types.
const maxDialogChoices = 500

// dialog renders f as a dialog for req, with errs (if any) in red under
// their fields; errors of fields the dialog does not show come first.
func (a *Adapter) dialog(ctx context.Context, req commands.Request, f commands.Form, errs commands.FormErrors) taskResponse {
	data := formData{Form: f.ID, Hidden: map[string]string{}}
	var body []dialogElement
	if f.Intro != "" {
		body = append(body, dialogElement{Type: "TextBlock", Text: markdownEscape(commands.PlainText(f.Intro)), Wrap: true})
	}
	shown := map[string]bool{}
	for _, fl := range f.Fields {
		label := plainCardText(fl.Label)
		switch fl.Kind {
		case commands.FieldHidden:
			data.Hidden[fl.Name] = fl.Value
			continue
		case commands.FieldChannel:
			data.Hidden[fl.Name] = fl.Value
			body = append(body, dialogElement{Type: "TextBlock", Wrap: true, Spacing: "Medium",
				Text: "**" + markdownEscape(commands.PlainText(fl.Label)) + ":** this conversation (where you opened this)"})
		case commands.FieldSelect:
			options := fl.Options
			if fl.Suggest {
				options = a.core.SuggestForm(ctx, req, f.ID, fl.Name, "")
			}
			body = append(body, choiceSet(fl, label, options))
			data.Fields = append(data.Fields, fl.Name)
		case commands.FieldUser:
			body = append(body, peoplePicker(fl, label))
			data.Fields = append(data.Fields, fl.Name)
		default: // FieldText, FieldLongText
			body = append(body, dialogElement{Type: "Input.Text", ID: fl.Name, Label: label, Spacing: "Medium",
				Placeholder: plainCardText(fl.Placeholder), Value: fl.Value, MaxLength: fl.MaxLen,
				IsMultiline: fl.Kind == commands.FieldLongText, IsRequired: !fl.Optional,
				ErrorMessage: requiredMessage(fl)})
			data.Fields = append(data.Fields, fl.Name)
		}
		if fl.Hint != "" {
			body = append(body, dialogElement{Type: "TextBlock", Text: markdownEscape(commands.PlainText(fl.Hint)), Wrap: true, Size: "Small", IsSubtle: true, Spacing: "None"})
		}
		if msg := errs[fl.Name]; msg != "" {
			body = append(body, errorBlock(msg))
		}
		shown[fl.Name] = true
	}
	var top []dialogElement
	for _, name := range sortedKeys(errs) {
		if !shown[name] {
			top = append(top, errorBlock(errs[name]))
		}
	}
	body = append(top, body...)
	data.Seal = a.seal(req, data)
	submit := f.Submit
	if submit == "" {
		submit = "Submit"
	}
	c := dialogCard{Type: "AdaptiveCard", Schema: cardSchema, Version: cardVersion, Body: body,
		Actions: []dialogAction{{Type: "Action.Submit", Title: plainCardText(submit), Style: "positive", Data: dialogData{Form: data}}}}
	return taskResponse{Task: taskBody{Type: "continue", Value: taskInfo{
		Title: commands.PlainText(f.Title), Width: dialogWidth, Height: dialogHeight,
		Card: cardAttachment{ContentType: cardContentType, Content: c},
	}}}
}

// choiceSet renders a select: a compact menu, or with more options than
// a menu lists well (or a Suggest field) a menu filtered as the user
// types. A prefilled value not among the options is dropped.
func choiceSet(fl commands.FormField, label string, options []commands.Choice) dialogElement {
	el := dialogElement{Type: "Input.ChoiceSet", ID: fl.Name, Label: label, Spacing: "Medium", Style: "compact",
		Placeholder: plainCardText(fl.Placeholder), IsRequired: !fl.Optional, ErrorMessage: requiredMessage(fl)}
	if fl.Suggest || len(options) > commands.MaxPickerOptions {
		el.Style = "filtered"
	}
	for i, o := range options {
		if i == maxDialogChoices {
			break
		}
		el.Choices = append(el.Choices, choice{Title: plainCardText(clipRunes(commands.PlainText(o.Label), commands.MaxChoiceLabel)), Value: o.Value})
		if o.Value == fl.Value {
			el.Value = fl.Value
		}
	}
	return el
}

// dataQuery is the dynamic source of an Input.ChoiceSet's choices.
type dataQuery struct {
	Type    string `json:"type"`
	Dataset string `json:"dataset"`
}

// peoplePicker renders a person field as Teams' people picker: an
// Input.ChoiceSet with no choices of its own, filled from the organisation's
// directory as the user types. Its value is the person's Entra (AAD) object
// id, which is the user id outcomebot knows Teams users by.
func peoplePicker(fl commands.FormField, label string) dialogElement {
	return dialogElement{Type: "Input.ChoiceSet", ID: fl.Name, Label: label, Spacing: "Medium",
		Placeholder: plainCardText(fl.Placeholder), IsRequired: !fl.Optional, ErrorMessage: requiredMessage(fl),
		Choices: []choice{}, ChoicesData: &dataQuery{Type: "Data.Query", Dataset: "graph.microsoft.com/users"}, Value: fl.Value}
}

// requiredMessage is what Teams shows when a required field is left empty
// (the server checks again).
func requiredMessage(fl commands.FormField) string {
	if fl.Optional {
		return ""
	}
	return plainCardText(commands.PlainText(fl.Label)) + " is required."
}

// errorBlock shows a refusal of a field in red.
func errorBlock(msg string) dialogElement {
	return dialogElement{Type: "TextBlock", Text: markdownEscape(commands.PlainText(msg)), Wrap: true, Color: "Attention", Size: "Small", Spacing: "Small"}
}

func sortedKeys(errs commands.FormErrors) []string {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a stable order keeps dialogs stable
	return keys
}

// renderFormLauncher renders a Response that asks to open a form: its
// text (what to type instead) on a card whose button opens the form as a
// dialog (a task/fetch invoke naming the form).
func renderFormLauncher(resp commands.Response, dir directory) []message {
	f := resp.Form
	msgs := renderCards(commands.Response{Title: f.Title, Text: resp.Text, Context: resp.Context}, dir)
	last := &msgs[len(msgs)-1].Attachments[0]
	c, ok := last.Content.(card)
	if !ok {
		return msgs
	}
	title := f.Submit
	if title == "" {
		title = f.Title
	}
	c.Actions = append(c.Actions, action{Type: "Action.Submit", Title: plainCardText(title) + "…", Style: "positive",
		Data: submitData{MSTeams: &teamsAction{Type: "task/fetch"}, Form: &formData{Form: f.ID}}})
	last.Content = c
	return msgs
}

// sealContext separates the seal key from other uses of the secret.
const sealContext = "outcomebot teams form seal v1"

// seal signs a dialog's data for req's tenant and user.
func (a *Adapter) seal(req commands.Request, d formData) string {
	k := hmac.New(sha256.New, []byte(a.cfg.AppPassword))
	k.Write([]byte(sealContext))
	m := hmac.New(sha256.New, k.Sum(nil))
	fields, hidden := []byte("[]"), []byte("{}")
	if len(d.Fields) > 0 {
		fields, _ = json.Marshal(d.Fields)
	}
	if len(d.Hidden) > 0 {
		hidden, _ = json.Marshal(d.Hidden) // map keys are sorted
	}
	for _, part := range [][]byte{[]byte(a.cfg.TenantID), []byte(req.Workspace), []byte(req.User), []byte(d.Form), fields, hidden} {
		_ = binary.Write(m, binary.BigEndian, uint32(len(part)))
		m.Write(part)
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// unseal reads a submitted dialog: its form id and values (the sealed
// hidden ones, and the inputs the seal names). An error means the seal is
// missing or does not match req; nothing may be done then.
func (a *Adapter) unseal(req commands.Request, data json.RawMessage) (string, commands.FormValues, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return "", nil, errors.New("unseal: the submission's data is not an object")
	}
	var d formData
	if err := json.Unmarshal(raw["outcomebot"], &d); err != nil || d.Form == "" || d.Seal == "" {
		return "", nil, errors.New("unseal: the submission carries no sealed form data")
	}
	if !hmac.Equal([]byte(a.seal(req, d)), []byte(d.Seal)) {
		return "", nil, fmt.Errorf("unseal: the seal of form %q does not match (changed, or another user's or tenant's)", commands.Clip(d.Form, 40))
	}
	values := commands.FormValues{}
	for k, v := range d.Hidden {
		values[k] = v
	}
	for _, name := range d.Fields {
		if _, hidden := d.Hidden[name]; hidden {
			continue
		}
		var v any
		if json.Unmarshal(raw[name], &v) == nil {
			values[name] = scalarString(v)
		}
	}
	return d.Form, values, nil
}
