package teams

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

// maxTeamsCardBytes is the Adaptive Card size every revision of the Teams
// docs accepts (28 KB).
const maxTeamsCardBytes = 28 << 10

// checkSizes asserts every rendered message is within the limits: each
// card's JSON ≤ 28 KB and version ≤ 1.5, each activity ≤ maxMessageBytes,
// and every mention entity used in its message.
func checkSizes(t *testing.T, name string, msgs []message) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatalf("%s: nothing rendered", name)
	}
	for i, m := range msgs {
		if n := len(marshalJSON(activityFor(m))); n > maxMessageBytes {
			t.Errorf("%s: message %d: activity is %d bytes, over %d", name, i, n, maxMessageBytes)
		}
		if len(m.Attachments) == 0 {
			for _, e := range m.Entities {
				if !strings.Contains(m.Text, e.Text) {
					t.Errorf("%s: text message %d: entity %q not in its text", name, i, e.Text)
				}
			}
			continue
		}
		c := m.Attachments[0].Content.(card)
		if n := len(marshalJSON(c)); n > maxTeamsCardBytes {
			t.Errorf("%s: card %d of %d is %d bytes, over %d", name, i, len(msgs), n, maxTeamsCardBytes)
		}
		if v, err := strconv.ParseFloat(c.Version, 64); err != nil || v > 1.5 {
			t.Errorf("%s: card %d: version %q", name, i, c.Version)
		}
		body := string(marshalJSON(c.Body))
		for _, e := range c.MSTeams.Entities {
			if !strings.Contains(body, e.Text) {
				t.Errorf("%s: card %d: entity %q not used in its body", name, i, e.Text)
			}
		}
	}
}

// cardsOf returns the cards of msgs.
func cardsOf(msgs []message) []card {
	var out []card
	for _, m := range msgs {
		if len(m.Attachments) > 0 {
			out = append(out, m.Attachments[0].Content.(card))
		}
	}
	return out
}

func countFacts(els []element) int {
	n := 0
	for _, e := range els {
		n += len(e.Facts) + countFacts(e.Items)
	}
	return n
}

// TestRenderSizeProbes are the audit's probes, over 28 KB before: a title
// with 40 KB of text, 3,000 small facts, 400 buttons; and a text reply
// whose mention entities alone exceed the limit. Splits lose nothing.
func TestRenderSizeProbes(t *testing.T) {
	var lines []string
	for i := range 800 {
		lines = append(lines, fmt.Sprintf("line %03d: %s", i, strings.Repeat("x", 40)))
	}
	text := strings.Join(lines, "\n")
	msgs := renderResponse(commands.Response{Title: "Export", Text: text}, testDir)
	checkSizes(t, "title + 40 KB text", msgs)
	all := ""
	for _, c := range cardsOf(msgs) {
		all += string(marshalJSON(c.Body))
	}
	for _, want := range []string{"line 000:", "line 799:"} {
		if !strings.Contains(all, want) {
			t.Errorf("title + 40 KB text: %q lost", want)
		}
	}

	sec := commands.Section{Title: "Facts"}
	for i := range 3000 {
		sec.Fields = append(sec.Fields, commands.Field{Label: fmt.Sprintf("k%d", i), Value: fmt.Sprint(i)})
	}
	msgs = renderResponse(commands.Response{Title: "Many facts", Sections: []commands.Section{sec}}, testDir)
	checkSizes(t, "3,000 small facts", msgs)
	n := 0
	for _, c := range cardsOf(msgs) {
		n += countFacts(c.Body)
	}
	if n != 3000 {
		t.Errorf("3,000 small facts: %d rendered", n)
	}

	resp := commands.Response{Title: "Buttons"}
	for i := range 400 {
		resp.Buttons = append(resp.Buttons, commands.Button{Label: fmt.Sprintf("Button %d", i), Action: "act", Value: fmt.Sprint(i)})
	}
	msgs = renderResponse(resp, testDir)
	checkSizes(t, "400 buttons", msgs)
	n = 0
	for _, c := range cardsOf(msgs) {
		n += len(c.Actions)
	}
	if n != 400 {
		t.Errorf("400 buttons: %d rendered", n)
	}

	dir := directory{People: map[string]person{}}
	var b strings.Builder
	for i := range 400 {
		id := fmt.Sprintf("aad-%d", i)
		dir.People[id] = person{MentionID: "29:" + strings.Repeat("u", 60) + id, Name: "Person " + id}
		b.WriteString(commands.Mention(id) + " ")
	}
	checkSizes(t, "text with 400 mentions", renderResponse(commands.Response{Text: b.String()}, dir))
}

// TestRenderSizeProperty renders large random Responses (long titles,
// texts with and without line breaks, escapes, many distinct mentions,
// many or huge sections and facts, pickers, many buttons, long context)
// and checks every card against the limits.
func TestRenderSizeProperty(t *testing.T) {
	dir := directory{People: map[string]person{}, Channels: map[string]string{}}
	for i := range 300 {
		id := fmt.Sprintf("aad-%d", i)
		dir.People[id] = person{MentionID: fmt.Sprintf("29:%s-%d", strings.Repeat("m", 40), i), Name: fmt.Sprintf("Person %d %s", i, strings.Repeat("N", i%30))}
	}
	pieces := []string{"word ", "\"quoted\" ", `back\slash `, "<at>fake</at> ", "**bold** ", "é", "😀", "\x01", "\n", "&amp; ", "a_b*c "}
	for seed := range uint64(16) { // each seed is a few hundred ms under -race
		r := rand.New(rand.NewPCG(seed, 99))
		text := func(maxBytes int) string {
			n := r.IntN(maxBytes + 1)
			var b strings.Builder
			for b.Len() < n {
				switch r.IntN(12) {
				case 0:
					b.WriteString(commands.Mention(fmt.Sprintf("aad-%d", r.IntN(300))))
				case 1:
					b.WriteString(commands.ChannelLink("19:c@thread"))
				case 2:
					b.WriteString(commands.Link("https://example.com/"+strings.Repeat("p", r.IntN(50)), "link"))
				default:
					b.WriteString(pieces[r.IntN(len(pieces))])
				}
			}
			return b.String()
		}
		big := func(small, large int) int {
			if r.IntN(4) == 0 {
				return large
			}
			return small
		}
		resp := commands.Response{Title: text(big(80, 50<<10)), Text: text(big(2000, 60<<10)), Context: text(big(100, 10<<10))}
		// Sections: many small ones, or a few huge ones (long texts, many
		// facts, or a few huge facts).
		nsec, nfield, fieldBytes := r.IntN(big(5, 300)), 4, 20
		switch r.IntN(4) {
		case 0:
			nsec, nfield = r.IntN(3)+1, 3000
		case 1:
			nsec, nfield, fieldBytes = r.IntN(3)+1, 5, 40<<10
		}
		for range nsec {
			s := commands.Section{Title: text(big(60, 40<<10)), Text: text(big(500, 40<<10))}
			for range r.IntN(nfield + 1) {
				s.Fields = append(s.Fields, commands.Field{Label: text(12), Value: text(fieldBytes)})
			}
			if r.IntN(5) == 0 {
				p := &commands.Picker{Action: "triage", Value: text(big(10, 3<<10)), Placeholder: text(big(20, 5<<10))}
				for i := range r.IntN(130) {
					p.Options = append(p.Options, commands.Choice{Label: text(100), Value: fmt.Sprintf("v%d-%s", i, strings.Repeat("v", r.IntN(big(20, 400))))})
				}
				s.Picker = p
			}
			resp.Sections = append(resp.Sections, s)
		}
		for i := range r.IntN(big(3, 500)) {
			resp.Buttons = append(resp.Buttons, commands.Button{Label: text(big(20, 4<<10)), Action: "act", Value: fmt.Sprintf("%d-%s", i, strings.Repeat("v", r.IntN(big(10, 8<<10))))})
		}
		checkSizes(t, fmt.Sprintf("seed %d", seed), renderResponse(resp, dir))
		// The same Response as text only (no title, sections or buttons).
		checkSizes(t, fmt.Sprintf("seed %d text", seed), renderResponse(commands.Response{Text: resp.Text, Context: resp.Context}, dir))
	}
}
