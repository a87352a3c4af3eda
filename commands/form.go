package commands

import (
	"context"
	"errors"
	"sort"
	"strings"
	"unicode/utf8"
)

// Forms: what a user fills in instead of typing the grammar. The core
// describes a form neutrally; each adapter shows it its own way (a Slack
// modal, a Teams dialog, lines in the shell) and hands the filled-in
// values back to SubmitForm, which checks every one of them again: a form
// is user input like any command, whatever the platform echoed.

// Form is a form to show. A Response carrying one asks the adapter to open
// it (Slack: views.open with the request's trigger; Teams: a dialog).
type Form struct {
	// ID names the form's definition (registered with Core.RegisterForm).
	ID string
	// Title and Submit are plain text, at most MaxFormTitle runes.
	Title  string
	Submit string
	// Intro is markup shown above the fields.
	Intro  string
	Fields []FormField
	// Fallback is markup to show where the form cannot be opened (what to
	// type instead); the Title when empty.
	Fallback string `json:",omitempty"`
}

// MaxFormTitle is the longest form title or submit label every platform
// shows whole (Slack's modal limit).
const MaxFormTitle = 24

// FieldKind says what a form field holds.
type FieldKind int

const (
	// FieldText is one line of text.
	FieldText FieldKind = iota
	// FieldLongText is several lines of text.
	FieldLongText
	// FieldSelect is one of Options (or, when Suggest is set, one of the
	// choices SuggestForm returns as the user types).
	FieldSelect
	// FieldChannel is a conversation: Slack offers a channel picker that
	// starts on the current one; platforms without one use the
	// conversation the form was opened in.
	FieldChannel
	// FieldHidden is carried through the form unseen (a message's link).
	// Adapters must carry it so that a changed value is detected (signed),
	// and SubmitForm checks it again.
	FieldHidden
	// FieldUser is one person: Slack offers its user picker, Teams its
	// people picker (the value is the person's id on that platform); the
	// shell takes a name.
	FieldUser
)

// FormField is one field of a form.
type FormField struct {
	Name        string // the key of its value
	Label       string // plain text
	Hint        string // plain text under the field
	Placeholder string // plain text
	Kind        FieldKind
	Optional    bool
	// MaxLen is the most runes the field takes (0: no limit of its own).
	MaxLen int
	// Value prefills the field (a select: the value of an option).
	Value   string
	Options []Choice
	// Suggest marks a select with too many options to list: adapters ask
	// SuggestForm for the choices matching what the user types.
	Suggest bool
	// Error is shown on the field when the form is shown again.
	Error string
}

// FormValues are a submitted form's values by field name.
type FormValues map[string]string

// FormErrors is a submission refused field by field (field name → what is
// wrong, in words); nothing was done. Adapters show each message on its
// field; a field the platform cannot show goes into the message text.
type FormErrors map[string]string

func (e FormErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e[k])
	}
	return strings.Join(parts, "; ")
}

// AsFormErrors reports whether err is a field-by-field refusal.
func AsFormErrors(err error) (FormErrors, bool) {
	var fe FormErrors
	ok := errors.As(err, &fe)
	return fe, ok
}

// FormDefinition is a form the core can open and take submissions of.
type FormDefinition struct {
	ID string
	// Role, if set, is needed to open and to submit the form (checked on
	// submission again: a form may stay open while a role is revoked).
	Role  string
	Doing string
	// Open builds the form for req, prefilled with prefill (a message's
	// text and link when opened on a message; nil otherwise).
	Open func(ctx context.Context, req Request, prefill FormValues) (Form, error)
	// Submit checks values and does what the form is for: a FormErrors
	// error refuses it field by field, with nothing done.
	Submit func(ctx context.Context, req Request, values FormValues) (Response, error)
	// Suggest returns the choices of a Suggest field matching query.
	Suggest func(ctx context.Context, req Request, field, query string) ([]Choice, error)
}

// RegisterForm adds a form definition (leaf packages call it in New).
func (c *Core) RegisterForm(def FormDefinition) {
	if c.forms == nil {
		c.forms = map[string]*FormDefinition{}
	}
	c.forms[def.ID] = &def
	c.router.HandleAction(Definition{Name: formAction(def.ID), Doing: def.Doing, Handler: HandlerFunc(c.openFormAction)})
}

// Forms returns the registered form ids, sorted (for manifests and tests).
func (c *Core) Forms() []string {
	ids := make([]string, 0, len(c.forms))
	for id := range c.forms {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// form finds a form definition and checks req may use it.
func (c *Core) form(ctx context.Context, req Request, id string) (*FormDefinition, error) {
	def, ok := c.forms[id]
	if !ok {
		return nil, Userf("That form is not known here (it may be from an older version of the bot): run the command again.")
	}
	if def.Role != "" {
		if err := c.Authorize(ctx, req, def.Role, def.Doing); err != nil {
			return nil, err
		}
	}
	return def, nil
}

// OpenForm answers a request to open form id: a Response carrying the Form,
// or a refusal in its Text (no outcomes yet, a missing role).
func (c *Core) OpenForm(ctx context.Context, req Request, id string, prefill FormValues) Response {
	if req.Time.IsZero() {
		req.Time = c.clock.Now()
	}
	def, err := c.form(ctx, req, id)
	if err != nil {
		return c.errorResponse(req, err)
	}
	f, err := def.Open(ctx, req, prefill)
	if err != nil {
		return c.errorResponse(req, err)
	}
	f.ID = id
	return Response{Form: &f, Text: formFallback(f)}
}

// formFallback is the text of a form's Response, for platforms or clients
// that cannot open it.
func formFallback(f Form) string {
	if f.Fallback != "" {
		return f.Fallback
	}
	return f.Title
}

// SubmitForm runs a filled-in form. Every value is cleaned as typed text
// first (control and invisible characters, markup runes: a value can never
// become a mention). A field-by-field refusal comes back as FormErrors with
// nothing done; anything else is the Response to show (a success, or a
// refusal in words).
func (c *Core) SubmitForm(ctx context.Context, req Request, id string, values FormValues) (Response, FormErrors) {
	if req.Time.IsZero() {
		req.Time = c.clock.Now()
	}
	def, err := c.form(ctx, req, id)
	if err != nil {
		return c.errorResponse(req, err), nil
	}
	clean := make(FormValues, len(values))
	for k, v := range values {
		clean[k] = strings.TrimSpace(cleanText(StripMarkers(v)))
	}
	start := req.Time
	resp, err := def.Submit(ctx, req, clean)
	c.observeCommand(Request{Command: "form:" + id, Workspace: req.Workspace}, err, c.clock.Now().Sub(start))
	if fe, ok := AsFormErrors(err); ok {
		return Response{}, fe
	}
	if err != nil {
		return c.errorResponse(req, err), nil
	}
	return resp, nil
}

// SuggestForm returns the choices of field of form id that match query (at
// most MaxPickerOptions); nil when there are none or the caller may not use
// the form.
func (c *Core) SuggestForm(ctx context.Context, req Request, id, field, query string) []Choice {
	def, err := c.form(ctx, req, id)
	if err != nil || def.Suggest == nil {
		return nil
	}
	query = strings.TrimSpace(cleanText(StripMarkers(query)))
	if utf8.RuneCountInString(query) > 100 {
		query = Clip(query, 100)
	}
	out, err := def.Suggest(ctx, req, field, query)
	if err != nil {
		c.log.Warn("form suggestions failed", "workspace", req.Workspace, "form", id, "field", field, "err", err)
		return nil
	}
	if len(out) > MaxPickerOptions {
		out = out[:MaxPickerOptions]
	}
	return out
}

// Keys an adapter sets in a form's prefill when the form is opened on a
// message ("Escalate this message"): its text as markup (mentions as
// UserMention), its link and its author's id.
const (
	MessageText = "message_text"
	MessageLink = "message_link"
	MessageBy   = "message_by"
)

// QuoteText turns a message's marked-up text into plain text to prefill a
// form with: mentions become "@label" (never a mention again), markup
// runes and control characters are gone, and it is clipped to max runes.
func QuoteText(s string, max int) string {
	var b strings.Builder
	for _, sp := range Spans(cleanText(s)) {
		switch sp.Kind {
		case SpanUser, SpanGroup:
			b.WriteString("@" + sp.Label())
		case SpanChannel:
			b.WriteString("#" + sp.Label())
		case SpanLink:
			b.WriteString(sp.Target)
		default:
			b.WriteString(sp.Text)
		}
	}
	return Clip(strings.TrimSpace(StripMarkers(b.String())), max)
}
