package shell

import (
	"strings"

	"github.com/outcomebot/outcomebot/commands"
)

// Render turns a neutral Response into readable terminal text: mentions as
// @id, channels as #id, links as "label <url>", buttons as [Label], a menu
// as [Placeholder ▾ value | value].
func Render(r commands.Response) string {
	var b strings.Builder
	if r.Title != "" {
		b.WriteString("== " + r.Title + " ==\n")
	}
	if r.Text != "" {
		b.WriteString(text(r.Text) + "\n")
	}
	for _, s := range r.Sections {
		if s.Title != "" {
			b.WriteString("  # " + text(s.Title) + "\n")
		}
		if s.Text != "" {
			b.WriteString(indent(text(s.Text), "  ") + "\n")
		}
		for _, f := range s.Fields {
			b.WriteString("  " + text(f.Label) + ": " + text(f.Value) + "\n")
		}
		if p := s.Picker; p != nil {
			b.WriteString("  [" + p.Placeholder + " ▾ " + strings.Join(choiceValues(p.Options), " | ") + "]\n")
		}
		if len(s.Buttons) > 0 {
			b.WriteString("    " + buttonsText(s.Buttons) + "\n")
		}
	}
	if len(r.Buttons) > 0 {
		b.WriteString("  " + buttonsText(r.Buttons) + "\n")
	}
	if r.Context != "" {
		b.WriteString("  (" + text(r.Context) + ")\n")
	}
	for _, t := range r.Thread {
		b.WriteString(indent(Render(t), "  │ "))
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func text(s string) string {
	var b strings.Builder
	for _, sp := range commands.Spans(s) {
		switch sp.Kind {
		case commands.SpanUser:
			b.WriteString("@" + sp.Target)
		case commands.SpanChannel:
			b.WriteString("#" + sp.Target)
		case commands.SpanName:
			b.WriteString(sp.NameText()) // the name as typed, no @: nobody is notified
		case commands.SpanLink:
			if sp.Text != "" && sp.Text != sp.Target {
				b.WriteString(sp.Text + " <" + sp.Target + ">")
			} else {
				b.WriteString("<" + sp.Target + ">")
			}
		case commands.SpanBold:
			b.WriteString(sp.Text)
		case commands.SpanCode:
			b.WriteString(sp.Text)
		default:
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// buttonsText shows buttons as [Label] [Label].
func buttonsText(bs []commands.Button) string {
	out := make([]string, 0, len(bs))
	for _, btn := range bs {
		out = append(out, "["+btn.Label+"]")
	}
	return strings.Join(out, " ")
}
