package teams

import "strings"

// Universal Actions on cards. Every neutral Button is drawn as an
// Action.Execute: its verb is the action's name and its data the same
// {"action", "value"} an Action.Submit sends, so the click arrives as an
// adaptiveCard/action invoke answered in the HTTP response (invoke_execute.go).
// Teams needs card version 1.5 for Action.Execute; each one carries an
// Action.Submit with the same data as its fallback, for clients without
// Universal Actions, whose clicks arrive as messages as before (turn.go).
//
// A single card whose Response names Actors also carries a refresh: the
// clients of the users it lists (at most 60, by their Bot Framework ids)
// ask the bot for their own view of the card when they show it (an
// invoke with the verb "refresh"; other clients may ask too). The answer
// is the card as last posted, with its buttons for its actors, it-leads
// and admins, and without them for everyone else (invoke_execute.go). The posted card keeps its buttons for everyone,
// so no client and no lead left out of the list is ever without them;
// every press is checked by the core.

const (
	// refreshVerb is the verb of a card's refresh action.
	refreshVerb = "refresh"
	// maxRefreshUsers is how many users a refresh may list.
	maxRefreshUsers = 60
	// maxRefreshBytes bounds a card's refresh, users included, in its
	// JSON; renderCards keeps it free on a card with Actors.
	maxRefreshBytes = 4 << 10
)

// cardRefresh is a card's refresh: the action the listed users' clients
// run when they show the card.
type cardRefresh struct {
	Action  refreshAction `json:"action"`
	UserIDs []string      `json:"userIds"`
}

type refreshAction struct {
	Type string     `json:"type"`
	Verb string     `json:"verb"`
	Data submitData `json:"data"`
}

// withFallback returns an Action.Execute with its Action.Submit fallback
// set from its current title, style and data; other actions unchanged.
func (a action) withFallback() action {
	if a.Type != "Action.Execute" {
		return a
	}
	a.Fallback = &action{Type: "Action.Submit", Title: a.Title, Style: a.Style, Data: a.Data}
	return a
}

// refreshCost is what renderCards keeps free on the last card for the
// refresh of a Response with actors.
func refreshCost(actors []string) int {
	if len(actors) == 0 {
		return 0
	}
	return maxRefreshBytes
}

// withRefresh adds the refresh for actors to c, which must have buttons:
// each actor by their Bot Framework id (the directory's mention id), at
// most maxRefreshUsers and within maxRefreshBytes.
func withRefresh(c card, actors []string, dir directory) card {
	if len(actors) == 0 || len(c.Actions) == 0 {
		return c
	}
	r := &cardRefresh{Action: refreshAction{Type: "Action.Execute", Verb: refreshVerb, Data: submitData{Action: refreshVerb}}, UserIDs: []string{}}
	size := len(marshalJSON(r)) + len(`,"refresh":`)
	seen := map[string]bool{}
	for _, id := range actors {
		// Teams lists users by their Bot Framework ids: someone the bot
		// has never seen is left out (they still have the posted buttons).
		mri := dir.person(id).MentionID
		if !strings.HasPrefix(mri, "29:") || seen[mri] || len(r.UserIDs) == maxRefreshUsers || size+len(marshalJSON(mri))+1 > maxRefreshBytes {
			continue
		}
		seen[mri] = true
		r.UserIDs = append(r.UserIDs, mri)
		size += len(marshalJSON(mri)) + 1
	}
	if len(r.UserIDs) > 0 {
		c.Refresh = r
	}
	return c
}

// readOnly is c without anything to act with: no buttons, menus or their
// submit buttons; what it shows is unchanged.
func readOnly(c card) card {
	c.Actions = nil
	c.Body = inertElements(c.Body)
	return c
}

func inertElements(els []element) []element {
	out := make([]element, 0, len(els))
	for _, el := range els {
		switch el.Type {
		case "ActionSet", "Input.ChoiceSet", "Input.Text":
			continue
		}
		el.Items = inertElements(el.Items)
		if len(el.Items) == 0 {
			el.Items = nil
		}
		out = append(out, el)
	}
	return out
}

// isActor reports whether the user (by Bot Framework id and core id) is
// one a card's refresh names.
func (c card) isActor(ids ...string) bool {
	if c.Refresh == nil {
		return false
	}
	for _, u := range c.Refresh.UserIDs {
		for _, id := range ids {
			if id != "" && u == id {
				return true
			}
		}
	}
	return false
}
