package escalation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// The escalation form: what /escalate with no arguments, the "Escalate
// blocked work" and "Escalate this message" shortcuts and the Teams
// message action open. Its submission runs exactly what /escalate runs
// (raise), after checking every field again.

// FormEscalate is the escalation form's id.
const FormEscalate = "escalate"

// Form field names. MessageLink and MessageBy are hidden: the message the
// form was opened on.
const (
	FieldOutcome     = "outcome"
	FieldTicket      = "ticket"
	FieldReason      = "reason"
	FieldChannel     = "channel"
	FieldMessageLink = commands.MessageLink
	FieldMessageBy   = commands.MessageBy
)

// MaxReason is the longest reason a form takes, in runes.
const MaxReason = 3000

// maxTicketField is the longest ticket field (a ticket's URL fits).
const maxTicketField = 500

// registerForm registers the escalation form with the core.
func (c *Escalations) registerForm() {
	c.core.RegisterForm(commands.FormDefinition{
		ID:      FormEscalate,
		Open:    c.formOpen,
		Submit:  c.formSubmit,
		Suggest: c.formSuggest,
	})
}

// openForm answers /escalate with no arguments: the form, and for
// platforms that cannot open one (the shell) a prompt saying what to give.
func (c *Escalations) openForm(ctx context.Context, req commands.Request, prefill commands.FormValues) (commands.Response, error) {
	f, err := c.formOpen(ctx, req, prefill)
	if err != nil {
		return commands.Response{}, err
	}
	f.ID = FormEscalate
	keys := make([]string, 0, len(f.Fields[0].Options))
	for _, o := range f.Fields[0].Options {
		keys = append(keys, o.Value)
	}
	outcomes := "Active outcomes: " + commands.Code(strings.Join(keys, ", ")) + "."
	if f.Fields[0].Suggest {
		outcomes = "See the active outcomes with " + commands.Code("/outcome list") + "."
	}
	return commands.Response{Form: &f, Text: fmt.Sprintf("Which outcome is blocked, and what is blocking it? Give %s, e.g. %s. %s",
		commands.Code(usageEscalate), commands.Code("/escalate outcome=<key> tills are down in Leeds"), outcomes)}, nil
}

// formOpen builds the form for req, prefilled from a message when opened
// on one (prefill's reason, message_link, message_by) and announcing in
// the conversation it was opened in.
func (c *Escalations) formOpen(ctx context.Context, req commands.Request, prefill commands.FormValues) (commands.Form, error) {
	active, err := c.core.ActiveOutcomes(ctx, req.Workspace)
	if err != nil {
		return commands.Form{}, err
	}
	if len(active) == 0 {
		return commands.Form{}, commands.Userf("There are no outcomes to escalate to yet. An admin adds one with %s.", commands.Code(commands.UsageOutcomeAdd))
	}
	outcome := commands.FormField{Name: FieldOutcome, Label: "Outcome it is blocking", Kind: commands.FieldSelect,
		Placeholder: "Pick an outcome", Value: prefill[FieldOutcome]}
	if len(active) > commands.MaxPickerOptions {
		outcome.Suggest = true
		outcome.Hint = "Type part of its name or key."
	} else {
		outcome.Options = outcomeChoices(active, "")
	}
	channel := prefill[FieldChannel]
	if channel == "" {
		channel = req.Channel
	}
	reason := commands.Clip(prefill[FieldReason], MaxReason)
	if text := prefill[commands.MessageText]; text != "" && reason == "" {
		reason = commands.QuoteText(text, MaxReason)
	}
	f := commands.Form{
		ID: FormEscalate, Title: "Escalate blocked work", Submit: "Escalate",
		Intro: "IT's owner of the outcome gets it at once, with an acknowledgement deadline.",
		Fields: []commands.FormField{
			outcome,
			{Name: FieldTicket, Label: "Ticket (optional)", Kind: commands.FieldText, Optional: true, MaxLen: maxTicketField,
				Placeholder: "INC0012345 or OPS-12", Hint: "Leave it empty if there is no ticket yet; add it later with /tag <ticket> E-n.", Value: prefill[FieldTicket]},
			{Name: FieldReason, Label: "What is blocked?", Kind: commands.FieldLongText, MaxLen: MaxReason,
				Placeholder: "Card payments failing in 3 stores since 9am", Value: reason},
			{Name: FieldChannel, Label: "Announce it in", Kind: commands.FieldChannel, Optional: channel != "", Value: channel,
				Hint: "Where people waiting on it will see it; updates come here too."},
		},
	}
	if link := prefill[FieldMessageLink]; link != "" {
		f.Fields = append(f.Fields,
			commands.FormField{Name: FieldMessageLink, Kind: commands.FieldHidden, Value: link},
			commands.FormField{Name: FieldMessageBy, Kind: commands.FieldHidden, Value: prefill[FieldMessageBy]})
	}
	return f, nil
}

// formSubmit checks a submitted form field by field and raises the
// escalation (or joins the open one) exactly as /escalate would.
func (c *Escalations) formSubmit(ctx context.Context, req commands.Request, v commands.FormValues) (commands.Response, error) {
	errs := commands.FormErrors{}
	key := strings.ToLower(v[FieldOutcome])
	if key == "" {
		errs[FieldOutcome] = "Pick the outcome this is blocking."
	}
	ref := ""
	if t := v[FieldTicket]; t != "" {
		r, err := c.core.TicketWord(commands.Token{Kind: commands.TokenWord, Text: t})
		if ue, ok := commands.AsUserError(err); ok {
			errs[FieldTicket] = commands.PlainText(commands.UpperFirst(ue.Msg))
		} else if err != nil {
			return commands.Response{}, err
		}
		ref = r
	}
	reason := v[FieldReason]
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		errs[FieldReason] = "Say what is blocked."
	case n > MaxReason:
		errs[FieldReason] = fmt.Sprintf("The reason is %d characters; the limit is %d.", n, MaxReason)
	case onlyMentions(reason):
		errs[FieldReason] = "Say in words what is blocked (not only who)."
	}
	if ch := v[FieldChannel]; ch != "" {
		if !conversationID.MatchString(ch) {
			errs[FieldChannel] = "Pick a channel."
		} else {
			req.Channel = ch
		}
	}
	if len(errs) > 0 {
		return commands.Response{}, errs
	}
	e := record.Escalation{Ref: ref, Outcome: key, Reason: reason}
	if link, ok := commands.SafeURL(v[FieldMessageLink]); ok && strings.HasPrefix(link, "https://") {
		e.MessageLink = link
		if by := v[FieldMessageBy]; conversationID.MatchString(by) {
			e.MessageBy = by
		}
	}
	// One round trip: the outcome is checked (known, active) in the same
	// step that raises or joins.
	resp, err := c.raise(ctx, req, e)
	var bad badOutcome
	if errors.As(err, &bad) {
		return commands.Response{}, commands.FormErrors{FieldOutcome: commands.PlainText(bad.Error())}
	}
	return resp, err
}

// conversationID is the shape of a chat's conversation or user id (Slack
// C…/D…/U…, Teams "19:…@thread.v2", "a:…", "29:…", an aad object id, a shell
// name): no spaces, no markup, bounded.
var conversationID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9:@._=;#-]{0,255}$`)

// mentionLike matches what a plain-text field may hold that only names
// people or channels: <@U…>, <!here>, @name, #channel.
var mentionLike = regexp.MustCompile(`<[^>]*>|[@#]\S+`)

// onlyMentions reports whether text names only people or channels, with
// no words of its own.
func onlyMentions(text string) bool {
	rest := mentionLike.ReplaceAllString(text, "")
	return strings.TrimFunc(rest, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r > 127)
	}) == ""
}

// formSuggest returns the active outcomes whose key or title contains
// query (all of them, up to the limit, for an empty query).
func (c *Escalations) formSuggest(ctx context.Context, req commands.Request, field, query string) ([]commands.Choice, error) {
	if field != FieldOutcome {
		return nil, nil
	}
	active, err := c.core.ActiveOutcomes(ctx, req.Workspace)
	if err != nil {
		return nil, err
	}
	return outcomeChoices(active, query), nil
}

// outcomeChoices are the choices for outcomes matching query (any, when
// empty), at most MaxPickerOptions: "Title (key)".
func outcomeChoices(os []record.Outcome, query string) []commands.Choice {
	q := strings.ToLower(query)
	var out []commands.Choice
	for _, o := range os {
		if q != "" && !strings.Contains(strings.ToLower(o.Key), q) && !strings.Contains(strings.ToLower(o.Title), q) {
			continue
		}
		label := o.Key
		if o.Title != "" && o.Title != o.Key {
			label = commands.Clip(o.Title, commands.MaxChoiceLabel-len(o.Key)-3) + " (" + o.Key + ")"
		}
		out = append(out, commands.Choice{Label: label, Value: o.Key})
		if len(out) == commands.MaxPickerOptions {
			break
		}
	}
	return out
}
