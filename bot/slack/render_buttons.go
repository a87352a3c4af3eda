package slack

import "github.com/outcomebot/outcomebot/commands"

// buttonGroups splits a message's buttons, in order, into the groups of
// its actions blocks: at most maxButtonsBlock buttons each, and a new
// group wherever an action would repeat. Slack refuses a block two of whose
// elements share an action_id, and a message may carry the same pair of
// buttons for several items (the weekly check-in's Yes / Archive for each
// outcome, told apart by their values): each pair then gets its own row.
func buttonGroups(bs []commands.Button) [][]commands.Button {
	var out [][]commands.Button
	var cur []commands.Button
	seen := map[string]bool{}
	for _, b := range bs {
		id := clip(b.Action, maxActionID)
		if len(cur) == maxButtonsBlock || seen[id] {
			out = append(out, cur)
			cur, seen = nil, map[string]bool{}
		}
		cur = append(cur, b)
		seen[id] = true
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
