package commands

import (
	"context"
	"strings"
)

// Buttons that open forms: "Add note" and "Reassign" on an escalation card.
// A click arrives as any button's does (an Action named after the form)
// and is answered with a Response carrying the Form, which the adapter
// opens for the clicker (Slack: views.open with the click's trigger; the
// shell: the form's lines). Teams opens a dialog from the button itself
// (a task/fetch naming Button.Form) and calls OpenForm with the same
// prefill.

// ButtonValue is the prefill key under which a form opened by a button
// gets the button's Value (e.g. "E-4").
const ButtonValue = "button_value"

// formActionPrefix starts the action name of a button that opens a form.
const formActionPrefix = "form:"

// formAction is the action name of a button that opens form id.
func formAction(id string) string { return formActionPrefix + id }

// FormButton is a button that opens form id for whoever clicks it, with
// value as prefill[ButtonValue].
func FormButton(label, id, value string) Button {
	return Button{Label: label, Action: formAction(id), Value: value, Form: id}
}

// openFormAction answers a click on a FormButton: the form to open (or a
// refusal in words).
func (c *Core) openFormAction(ctx context.Context, req Request, args Args) (Response, error) {
	id := strings.TrimPrefix(req.Action.Name, formActionPrefix)
	return c.OpenForm(ctx, req, id, FormValues{ButtonValue: strings.TrimSpace(args.Raw)}), nil
}
