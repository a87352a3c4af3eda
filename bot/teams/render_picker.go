package teams

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/outcomebot/outcomebot/commands"
)

// This file renders a section's Picker as an Input.ChoiceSet followed by
// an ActionSet with one Action.Submit, and reads a pick back from the
// submitted value (inbound.go).
//
// Teams submits every input of a card with whichever button is pressed,
// so a card with many menus sends all their values. Each menu's id is
// unique in the response ("pick-0", "pick-1", …) and its button's data
// names it under "input"; the adapter reads the Choice from that input
// only.

const (
	// pickerInputPrefix starts the id of each menu of a card.
	pickerInputPrefix = "pick-"
	// pickerSubmitTitle labels a picker's button. The neutral Picker has no
	// button label; its one use (the weekly triage) tags a request.
	pickerSubmitTitle = "Tag"
	// defaultPickerPlaceholder is shown when the Picker has none.
	defaultPickerPlaceholder = "Pick one"
)

// choice is one option of an Input.ChoiceSet.
type choice struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// pickerInputID is the id of the n-th menu (from 0) of a response.
func pickerInputID(n int) string { return pickerInputPrefix + strconv.Itoa(n) }

// withPicker appends p to a rendered section: a compact Input.ChoiceSet
// with id inputID and an ActionSet whose Action.Submit sends
// {"action": p.Action, "value": p.Value, "input": inputID}. Labels and
// the placeholder are plain text (not markdown) that can form no <at> tag;
// labels have at most commands.MaxChoiceLabel runes; at most commands.MaxPickerOptions options
// are shown. Values are never cut: a cut value would pick something else.
func withPicker(b block, p commands.Picker, inputID string) block {
	placeholder := plainCardText(p.Placeholder)
	if placeholder == "" {
		placeholder = defaultPickerPlaceholder
	}
	set := element{Type: "Input.ChoiceSet", ID: inputID, Style: "compact", Placeholder: placeholder, Spacing: "Small"}
	for i, o := range p.Options {
		if i == commands.MaxPickerOptions {
			break
		}
		set.Choices = append(set.Choices, choice{Title: plainCardText(clipRunes(commands.PlainText(o.Label), commands.MaxChoiceLabel)), Value: o.Value})
	}
	submit := element{Type: "ActionSet", Spacing: "Small", Actions: []action{{
		Type: "Action.Submit", Title: pickerSubmitTitle,
		Data: submitData{Action: p.Action, Value: p.Value, Input: inputID},
	}}}
	b.el.Items = append(b.el.Items, set, submit)
	return b
}

// plainCardText renders marked-up text as plain card text (a choice
// title, a placeholder): markup dropped, and a zero-width space after
// every '<' so no "<at>" can form, as markdownEscape does.
func plainCardText(s string) string {
	return strings.ReplaceAll(commands.PlainText(s), "<", "<\u200b")
}

// clipRunes cuts s to at most n runes, marking a cut with "…".
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
