package escalation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// The card's forms: "Add note" and "Reassign" open them (a Slack modal, a
// Teams dialog, the shell's form lines). The escalation travels as a
// hidden field (sealed by the adapters) and is checked against the store
// again on submission; the submission runs exactly what /escalate note and
// /escalate assign run, with the role check inside the store's atomic step.

// Form ids of the card's forms.
const (
	FormNote   = "note"
	FormAssign = "assign"
)

// Field names of the card's forms (FieldOutcome is shared with the
// escalation form).
const (
	FieldEscalation = "escalation"
	FieldNote       = "note"
	FieldAssignee   = "assignee"
)

// MaxNote is the longest note the form takes, in runes.
const MaxNote = 3000

// registerCardForms registers the card's forms with the core.
func (c *Escalations) registerCardForms() {
	c.core.RegisterForm(commands.FormDefinition{ID: FormNote, Doing: "add notes to escalations", Open: c.noteOpen, Submit: c.noteSubmit})
	c.core.RegisterForm(commands.FormDefinition{ID: FormAssign, Doing: "reassign escalations", Open: c.assignOpen, Submit: c.assignSubmit, Suggest: c.formSuggest})
}

// cardButtons are the buttons of an escalation card that open its forms.
func cardButtons(value string) []commands.Button {
	return []commands.Button{commands.FormButton("Add note", FormNote, value), commands.FormButton("Reassign", FormAssign, value)}
}

// What a caller without the role is refused (the command's words too).
const (
	doingNote   = "add notes to escalations (or own the outcome in IT)"
	doingAssign = "reassign escalations (or own the outcome in IT)"
)

// openEscalation reads the escalation a form is opened on (the button's
// value, or the hidden field when the form is shown again): the caller must
// be able to act on it (doing says what they would need the role for), and
// it must exist and not be resolved. The refusal comes first, as the
// store's does, so a form tells nobody without the right about an
// escalation; the store checks again, atomically, on submission.
func (c *Escalations) openEscalation(ctx context.Context, req commands.Request, prefill commands.FormValues, doing, what string) (record.Escalation, error) {
	id := prefill[FieldEscalation]
	if id == "" {
		id = prefill[commands.ButtonValue]
	}
	n, err := commands.ParseEscalationID(id)
	if err != nil {
		return record.Escalation{}, err
	}
	e, err := c.store.GetEscalation(ctx, req.Workspace, n)
	if err != nil && !errors.Is(err, record.ErrNotFound) {
		return e, err
	}
	if ok, merr := c.mayAct(ctx, req, e); merr != nil {
		return e, merr
	} else if !ok {
		return e, c.core.Forbidden(ctx, req, doing, record.RoleITLead)
	}
	switch {
	case errors.Is(err, record.ErrNotFound):
		return e, noEscalation(n)
	case err != nil:
		return e, err
	case e.State == record.StateResolved:
		return e, commands.Userf("%s is resolved; %s.", commands.EscID(n), what)
	}
	return e, nil
}

// mayAct is the store's rule for acting on e without a grant, read ahead
// to spare someone a form they cannot submit: the queue's rule (type
// mayAct), on e and its outcome.
func (c *Escalations) mayAct(ctx context.Context, req commands.Request, e record.Escalation) (bool, error) {
	var o record.Outcome
	if e.Outcome != "" {
		var err error
		if o, err = c.store.GetOutcome(ctx, req.Workspace, e.Outcome); err != nil && !errors.Is(err, record.ErrNotFound) {
			return false, err
		}
	}
	return (&mayAct{c: c, ctx: ctx, req: req}).on(e, o), nil
}

// formIntro names the escalation a form acts on.
func formIntro(e record.Escalation, tail string) string {
	return fmt.Sprintf("%s for %s: %s\n%s", commands.Bold(commands.EscID(e.N)), commands.Code(e.Outcome), commands.Clip(e.Reason, 200), tail)
}

// noteOpen builds the "Add note" form for the escalation the button names.
func (c *Escalations) noteOpen(ctx context.Context, req commands.Request, prefill commands.FormValues) (commands.Form, error) {
	e, err := c.openEscalation(ctx, req, prefill, doingNote, "notes go on open escalations")
	if err != nil {
		return commands.Form{}, err
	}
	return commands.Form{ID: FormNote, Title: "Add a note", Submit: "Add note",
		Fallback: "To add a note to " + commands.EscID(e.N) + " by command: " + commands.Code("/escalate note "+commands.EscID(e.N)+" <text>") + ".",
		Intro:    formIntro(e, "The note goes on the card, into its thread and to everyone waiting."),
		Fields: []commands.FormField{
			{Name: FieldNote, Label: "Note", Kind: commands.FieldLongText, MaxLen: MaxNote, Value: commands.Clip(prefill[FieldNote], MaxNote),
				Placeholder: "Vendor engineer on site at 2pm"},
			{Name: FieldEscalation, Kind: commands.FieldHidden, Value: commands.EscID(e.N)},
		}}, nil
}

// noteSubmit checks the note and records it exactly as /escalate note does.
func (c *Escalations) noteSubmit(ctx context.Context, req commands.Request, v commands.FormValues) (commands.Response, error) {
	n, errs := formEscalationID(v)
	switch l := utf8.RuneCountInString(v[FieldNote]); {
	case l == 0:
		errs[FieldNote] = "Write the note."
	case l > MaxNote:
		errs[FieldNote] = fmt.Sprintf("The note is %d characters; the limit is %d.", l, MaxNote)
	}
	if len(errs) > 0 {
		return commands.Response{}, errs
	}
	req.Need = c.core.Need(req, record.RoleITLead)
	resp, err := c.note(ctx, req, n, v[FieldNote])
	return resp, fieldRefusal(err, FieldEscalation)
}

// assignOpen builds the "Reassign" form: a person, and optionally another
// outcome to move the escalation to.
func (c *Escalations) assignOpen(ctx context.Context, req commands.Request, prefill commands.FormValues) (commands.Form, error) {
	e, err := c.openEscalation(ctx, req, prefill, doingAssign, "there is nothing to reassign")
	if err != nil {
		return commands.Form{}, err
	}
	active, err := c.core.ActiveOutcomes(ctx, req.Workspace)
	if err != nil {
		return commands.Form{}, err
	}
	outcome := commands.FormField{Name: FieldOutcome, Label: "Move it to another outcome (optional)", Kind: commands.FieldSelect, Optional: true,
		Placeholder: "Keep it on " + commands.Clip(e.Outcome, 60), Value: prefill[FieldOutcome],
		Hint: "Its card then moves to that outcome's IT channel; the SLA keeps the original raise time."}
	if len(active) > commands.MaxPickerOptions {
		outcome.Suggest = true
	} else {
		outcome.Options = outcomeChoices(active, "")
	}
	now := "nobody yet (its outcome's IT owner gets it)"
	if e.Assignee != "" {
		now = commands.Mention(e.Assignee)
	}
	fields := []commands.FormField{{Name: FieldAssignee, Label: "Give it to", Kind: commands.FieldUser, Value: prefill[FieldAssignee], Placeholder: "Pick a person"}}
	if outcome.Suggest || len(outcome.Options) > 0 { // a select of no options is no field (Slack refuses one)
		fields = append(fields, outcome)
	}
	fields = append(fields, commands.FormField{Name: FieldEscalation, Kind: commands.FieldHidden, Value: commands.EscID(e.N)})
	return commands.Form{ID: FormAssign, Title: "Reassign", Submit: "Reassign",
		Fallback: "To reassign " + commands.EscID(e.N) + " by command: " + commands.Code("/escalate assign "+commands.EscID(e.N)+" @person [outcome=<key>]") + ".",
		Intro:    formIntro(e, "Assigned now to "+now+". The new assignee is told once, in the card's thread."),
		Fields:   fields}, nil
}

// assignSubmit checks the person (and outcome) and reassigns exactly as
// /escalate assign does.
func (c *Escalations) assignSubmit(ctx context.Context, req commands.Request, v commands.FormValues) (commands.Response, error) {
	n, errs := formEscalationID(v)
	who := strings.TrimPrefix(v[FieldAssignee], "@")
	switch {
	case who == "":
		errs[FieldAssignee] = "Pick the person to give it to."
	case !conversationID.MatchString(who):
		errs[FieldAssignee] = "That is not a person I know: pick someone from the list."
	}
	key := strings.ToLower(v[FieldOutcome])
	if key != "" && !conversationID.MatchString(key) {
		errs[FieldOutcome] = "Pick an outcome from the list, or leave it empty."
	}
	if len(errs) > 0 {
		return commands.Response{}, errs
	}
	req.Need = c.core.Need(req, record.RoleITLead)
	resp, err := c.reassign(ctx, req, n, who, key)
	return resp, fieldRefusal(err, FieldEscalation)
}

// formEscalationID reads a card form's hidden escalation id; a bad one is
// refused on that field (adapters show it where they can).
func formEscalationID(v commands.FormValues) (int64, commands.FormErrors) {
	errs := commands.FormErrors{}
	n, err := commands.ParseEscalationID(v[FieldEscalation])
	if err != nil {
		errs[FieldEscalation] = "This form names no escalation: open it again from the card."
	}
	return n, errs
}

// onField marks a refusal as belonging to one field of a form.
type onField struct {
	field string
	err   error
}

func (e onField) Error() string { return e.err.Error() }
func (e onField) Unwrap() error { return e.err }

// fieldRefusal turns a command's refusal into a form's field error (on its
// marked field, else on def), so nothing is done and the form says why;
// other errors pass through.
func fieldRefusal(err error, def string) error {
	if err == nil {
		return nil
	}
	ue, ok := commands.AsUserError(err)
	if !ok {
		return err
	}
	field := def
	var of onField
	if errors.As(err, &of) {
		field = of.field
	}
	return commands.FormErrors{field: commands.PlainText(commands.UpperFirst(ue.Msg))}
}
