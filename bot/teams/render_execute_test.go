package teams

import (
	"fmt"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

// A card with many actors and a large body: its refresh lists at most 60
// users within its budget, and the card stays under 28 KB.
func TestRenderRefreshWithinLimits(t *testing.T) {
	dir := directory{People: map[string]person{}}
	var actors []string
	for i := range 100 {
		id := fmt.Sprintf("aad-%d", i)
		dir.People[id] = person{MentionID: fmt.Sprintf("29:%03d%s", i, strings.Repeat("x", 90)), Name: id}
		actors = append(actors, id)
	}
	for _, size := range []int{0, 10 << 10, 20 << 10, 25 << 10} {
		resp := commands.Response{
			Title: "E-1 · Point of sale", Text: strings.Repeat("tills down ", size/11),
			Buttons: []commands.Button{{Label: "Acknowledge", Action: "ack", Value: "E-1"}, {Label: "Resolve", Action: "resolve", Value: "E-1"}},
			Actors:  actors,
		}
		msgs := renderResponse(resp, dir)
		name := fmt.Sprintf("%d bytes of text", size)
		checkSizes(t, name, msgs)
		cards := cardsOf(msgs)
		last := cards[len(cards)-1]
		if len(last.Actions) != 2 || last.Actions[0].Fallback == nil {
			t.Errorf("%s: last card's buttons %+v", name, last.Actions)
		}
		if len(cards) > 1 {
			continue // a card split over several messages has no refresh
		}
		r := last.Refresh
		if r == nil {
			t.Fatalf("%s: a single card with actors has no refresh", name)
		}
		if len(r.UserIDs) == 0 || len(r.UserIDs) > maxRefreshUsers || len(marshalJSON(r)) > maxRefreshBytes {
			t.Errorf("%s: refresh %d bytes with %d users", name, len(marshalJSON(r)), len(r.UserIDs))
		}
		if len(r.UserIDs) > 0 && r.UserIDs[0] != dir.People["aad-0"].MentionID {
			t.Errorf("%s: first listed user %s, want the first actor", name, r.UserIDs[0])
		}
	}
}

// The read-only view keeps what the card shows and drops every way to act.
func TestReadOnlyViewDropsActions(t *testing.T) {
	resp := escalationCard()
	resp.Sections = append(resp.Sections, commands.Section{Title: "Pick", Picker: &commands.Picker{
		Action: "triage", Value: "R1", Options: []commands.Choice{{Label: "pos", Value: "pos"}},
	}})
	c, ok := renderResponse(resp, testDir)[0].card()
	if !ok {
		t.Fatal("not a card")
	}
	ro := readOnly(c)
	got := string(marshalJSON(ro))
	if len(ro.Actions) != 0 || strings.Contains(got, "ActionSet") || strings.Contains(got, "Input.ChoiceSet") {
		t.Errorf("read-only view can still act: %s", got)
	}
	for _, want := range []string{"Escalation E-7", "Point of sale", "<at>Dev Lead</at>"} {
		if !strings.Contains(got, want) {
			t.Errorf("read-only view lost %q", want)
		}
	}
}
