package teams

import (
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/digest"
)

// TestBigDigestFitsFourTeamsCards: the digest of a workspace with 200
// outcomes, every person known by a long name, renders as the lead and at
// most three further cards, each within 28 KB, with no mention entity.
func TestBigDigestFitsFourTeamsCards(t *testing.T) {
	now := time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)
	resp := digest.Build(digest.Input{Data: commandstest.SyntheticDigestData(now, 200, 5000, 400, 600), Now: now, DefaultSLA: 4 * time.Hour})
	users, _ := targets([]commands.Response{resp})
	dir := directory{People: map[string]person{}}
	for _, u := range users {
		dir.People[u] = person{Name: strings.Repeat("Ü", 60) + " <b>" + u}
	}
	msgs := renderResponse(resp, dir)
	for _, th := range resp.Thread {
		msgs = append(msgs, renderResponse(th, dir)...)
	}
	if len(msgs) > 4 {
		t.Fatalf("rendered as %d Teams messages, want the lead and at most 3 more", len(msgs))
	}
	checkSizes(t, "200-outcome digest", msgs)
	for i, c := range cardsOf(msgs) {
		if len(c.MSTeams.Entities) > 0 {
			t.Errorf("card %d carries %d mention entities", i, len(c.MSTeams.Entities))
		}
	}
}

// TestDigestVerdictsAreColoured: in the lead card each change said
// "better" is a green (good) TextBlock of its own, each "worse" a red
// (attention) one; other lines keep the default colour, and the words stay.
func TestDigestVerdictsAreColoured(t *testing.T) {
	resp := commands.Response{Title: "Weekly outcome digest", Text: "This week\n" +
		"Requests tagged: 6 (▲3, better)\n" +
		"Median time to acknowledge: 3h 40m (▲2h 50m, worse)\n" +
		"Drift: no new requests\n" +
		"Escalations raised 1 (" + commands.Bold("worse") + ") by someone"}
	cards := cardsOf(renderResponse(resp, directory{}))
	if len(cards) != 1 {
		t.Fatalf("%d cards", len(cards))
	}
	colours := map[string]string{}
	for _, el := range cards[0].Body {
		colours[el.Text] = el.Color
	}
	for text, want := range map[string]string{
		"Requests tagged: 6 (▲3, better)":                     "good",
		"Median time to acknowledge: 3h 40m (▲2h 50m, worse)": "attention",
	} {
		if got, ok := colours[text]; !ok || got != want {
			t.Errorf("%q: colour %q (present %v), want %q; body %+v", text, got, ok, want, cards[0].Body)
		}
	}
	for text, c := range colours {
		if strings.Contains(text, "Drift") && c != "" {
			t.Errorf("a line without a verdict is coloured %q: %q", c, text)
		}
	}
}
