package slack

import (
	"strconv"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
)

// A section's own buttons (commands.Section.Buttons, such as a queue
// entry's Acknowledge / Resolve / Snooze 1h / Snooze 4h) go in one actions
// block under the section. Slack refuses a block two of whose elements
// share an action_id, and an entry's three Snooze buttons share one (told
// apart by their values): a repeat gets the suffix "#2", "#3"… which
// actionName takes off again when the button is pressed.
const repeatMark = "#"

// sectionButtons renders a section's buttons as actions blocks of up to
// 25 elements, every action_id unique within its block.
func sectionButtons(bs []commands.Button) []sized {
	var out []sized
	for len(bs) > 0 {
		n := min(len(bs), maxButtonsBlock)
		group := make([]commands.Button, n)
		copy(group, bs[:n])
		seen := map[string]int{}
		for i := range group {
			id := clip(group[i].Action, maxActionID-4)
			seen[id]++
			if k := seen[id]; k > 1 {
				id += repeatMark + strconv.Itoa(k)
			}
			group[i].Action = id
		}
		out = append(out, renderButtons(group))
		bs = bs[n:]
	}
	return out
}

// actionName is the action of a pressed button's action_id: without the
// repeat mark sectionButtons may have added.
func actionName(id string) string {
	i := strings.LastIndex(id, repeatMark)
	if i < 0 {
		return id
	}
	if _, err := strconv.Atoi(id[i+1:]); err != nil {
		return id
	}
	return id[:i]
}
