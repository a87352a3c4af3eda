package slack

import (
	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// This file renders a section's Picker as a static_select accessory and
// reads a pick in block_actions back into a neutral Action.
//
// A static_select carries an action_id and options but no value of its
// own, so the picker's Value travels as the section's block_id (unique in
// the message, as each picker's value is) and comes back as the action's
// block_id; the picked option's value is the Action's Choice.

// Slack's limits on a static_select.
const (
	maxSelectOptions     = 100 // options of one select
	maxOptionText        = 75  // an option's label
	maxOptionValue       = 150 // an option's value
	maxPlaceholderText   = 150 // the select's placeholder
	maxBlockID           = 255 // a block's block_id
	defaultPickerMessage = "Pick one"
)

// withPicker attaches p to a rendered section block as a static_select.
// A block that is not a section is returned unchanged.
func withPicker(s sized, p *commands.Picker) sized {
	sec, ok := s.block.(*slack.SectionBlock)
	if !ok || len(p.Options) == 0 {
		return s
	}
	placeholder := truncatePlain(commands.PlainText(p.Placeholder), maxPlaceholderText)
	if placeholder == "" {
		placeholder = defaultPickerMessage
	}
	s.units += slackLen(placeholder)
	var opts []*slack.OptionBlockObject
	for i, o := range p.Options {
		if i == maxSelectOptions {
			break
		}
		label := truncatePlain(commands.PlainText(o.Label), maxOptionText)
		opts = append(opts, slack.NewOptionBlockObject(clip(o.Value, maxOptionValue), plainObj(label), nil))
		s.units += slackLen(label)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainObj(placeholder), clip(p.Action, maxActionID), opts...)
	withSelect := *sec
	withSelect.Accessory = slack.NewAccessory(sel)
	withSelect.BlockID = clip(p.Value, maxBlockID)
	s.block = &withSelect
	return s
}

// actionOf turns one element of a block_actions payload into the neutral
// Action: a button's value, or a static_select's block_id (the picker's
// Value) and the picked option's value (the Choice).
func actionOf(act *slack.BlockAction) *commands.Action {
	if act.Type == slack.ActionType(slack.OptTypeStatic) {
		return &commands.Action{Name: act.ActionID, Value: act.BlockID, Choice: act.SelectedOption.Value}
	}
	return &commands.Action{Name: actionName(act.ActionID), Value: act.Value}
}
