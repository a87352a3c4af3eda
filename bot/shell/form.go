package shell

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
)

// Forms in the shell: a form the core opens (/escalate alone, :message,
// which stands for "Escalate this message", or a card's "Add note" and
// "Reassign" buttons, :click E-n note|assign) is printed field by
// field and stays open until :submit sends its fields, or another form
// replaces it. Each submission is checked by the core exactly as a Slack
// modal or a Teams dialog is: errors are printed per field and the form
// stays open.

// openForm is the form waiting for :submit.
type openForm struct {
	form    commands.Form
	channel string
}

// showForm prints f and keeps it open for :submit.
func (s *Shell) showForm(f commands.Form, channel string) {
	s.form = &openForm{form: f, channel: channel}
	s.printf("[form: %s]\n", f.Title)
	for _, fld := range f.Fields {
		if fld.Kind == commands.FieldHidden {
			continue
		}
		line := "  " + fld.Name + ": " + fld.Label
		switch {
		case fld.Kind == commands.FieldSelect && len(fld.Options) > 0:
			vals := make([]string, 0, len(fld.Options))
			for _, o := range fld.Options {
				vals = append(vals, o.Value)
			}
			line += " (one of " + strings.Join(vals, ", ") + ")"
		case fld.Kind == commands.FieldSelect && fld.Suggest:
			line += " (an outcome key; /outcome list shows them)"
		case fld.Kind == commands.FieldChannel:
			line += " (a channel)"
		case fld.Kind == commands.FieldUser:
			line += " (a person's name)"
		}
		if fld.Optional {
			line += ", optional"
		}
		if fld.Value != "" {
			line += fmt.Sprintf(" [now: %s]", commands.Clip(fld.Value, 80))
		}
		s.printf("%s\n", line)
	}
	s.printf("fill it in with :submit <field>=<value> … (quote values with spaces)\n")
}

// message simulates "Escalate this message" on a message by author in the
// current channel: :message <author> <text…>.
func (s *Shell) message(ctx context.Context, rest string) error {
	author, text, _ := strings.Cut(strings.TrimSpace(rest), " ")
	author = strings.TrimPrefix(author, "@")
	text = strings.TrimSpace(text)
	if author == "" || text == "" {
		return fmt.Errorf("usage: :message <author> <text of the message…>")
	}
	s.seq++
	prefill := commands.FormValues{
		commands.MessageText: mentions(text),
		commands.MessageBy:   author,
		commands.MessageLink: fmt.Sprintf("https://shell.invalid/%s/m%d", s.channel, s.seq),
	}
	req := commands.Request{Workspace: Workspace, User: s.user, UserName: s.user, Channel: s.channel, Command: "/escalate"}
	resp := s.core.OpenForm(ctx, req, "escalate", prefill)
	if resp.Form == nil {
		s.printf("[only you see this]\n%s\n", Render(resp))
		return nil
	}
	s.showForm(*resp.Form, s.channel)
	return nil
}

// submit sends the open form with its prefilled values and the fields given
// as field=value: :submit outcome=pos reason="tills down".
func (s *Shell) submit(ctx context.Context, rest string) error {
	if s.form == nil {
		return fmt.Errorf("no form is open: run /escalate alone, :message <author> <text>, or :click <E-n> note|assign")
	}
	given, err := fieldValues(rest)
	if err != nil {
		return err
	}
	kinds := map[string]commands.FieldKind{}
	values := commands.FormValues{}
	for _, fld := range s.form.form.Fields {
		kinds[fld.Name] = fld.Kind
		if fld.Value != "" {
			values[fld.Name] = fld.Value
		}
	}
	for k, v := range given {
		kind, known := kinds[k]
		if !known || kind == commands.FieldHidden {
			return fmt.Errorf("the form has no field %q", k)
		}
		values[k] = strings.TrimPrefix(strings.TrimPrefix(v, "#"), "@")
	}
	req := commands.Request{Workspace: Workspace, User: s.user, UserName: s.user, Channel: s.form.channel, Command: "/escalate"}
	resp, fe := s.core.SubmitForm(ctx, req, s.form.form.ID, values)
	if fe != nil {
		names := make([]string, 0, len(fe))
		for k := range fe {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			s.printf("! %s: %s\n", k, fe[k])
		}
		s.printf("(the form is still open: :submit again)\n")
		return nil
	}
	s.form = nil
	s.printf("[form closed; only you see this]\n%s\n", Render(resp))
	if err := s.core.Deliver(ctx, s.poster, resp.Outgoing); err != nil {
		fmt.Fprintf(s.out, "! %v\n", err) // even when quiet
	}
	return nil
}

// fieldValues reads field=value pairs; a value may be "quoted".
func fieldValues(s string) (map[string]string, error) {
	out := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || strings.ContainsAny(s[:eq], " \t\"") {
			return nil, fmt.Errorf("usage: :submit <field>=<value> … (e.g. outcome=pos reason=\"tills down\")")
		}
		key, rest := s[:eq], s[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("unclosed quote in the value of %s", key)
			}
			val, s = rest[1:end+1], rest[end+2:]
		} else {
			val, s, _ = strings.Cut(rest, " ")
		}
		out[key] = val
	}
	return out, nil
}
