package teams

import (
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/outcomebot/outcomebot/commands"
)

// Adaptive Card constants.
const (
	cardContentType = "application/vnd.microsoft.card.adaptive"
	cardSchema      = "http://adaptivecards.io/schemas/adaptive-card.json"
	// cardVersion is the highest version every Teams client renders.
	cardVersion = "1.5"
)

// card is an Adaptive Card, limited to what outcomebot draws.
type card struct {
	Type    string     `json:"type"`
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Body    []element  `json:"body"`
	Actions []action   `json:"actions,omitempty"`
	MSTeams *cardTeams `json:"msteams,omitempty"`
}

// cardTeams is the card's Teams extension: full width and the mention entities.
type cardTeams struct {
	Width    string           `json:"width,omitempty"`
	Entities []schema.Mention `json:"entities,omitempty"`
}

// element is a TextBlock, Container, FactSet, Input.ChoiceSet or ActionSet;
// unused fields are omitted.
type element struct {
	Type      string    `json:"type"`
	ID        string    `json:"id,omitempty"`
	Text      string    `json:"text,omitempty"`
	Wrap      bool      `json:"wrap,omitempty"`
	Size      string    `json:"size,omitempty"`
	Weight    string    `json:"weight,omitempty"`
	Style     string    `json:"style,omitempty"`
	IsSubtle  bool      `json:"isSubtle,omitempty"`
	Separator bool      `json:"separator,omitempty"`
	Spacing   string    `json:"spacing,omitempty"`
	Items     []element `json:"items,omitempty"`
	Facts     []fact    `json:"facts,omitempty"`
	// Input.ChoiceSet (render_picker.go)
	Placeholder string   `json:"placeholder,omitempty"`
	Choices     []choice `json:"choices,omitempty"`
	// ActionSet
	Actions []action `json:"actions,omitempty"`
}

type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// action is an Action.Submit button. Its data arrives back as the value of
// a message activity (inbound.go).
type action struct {
	Type  string     `json:"type"`
	Title string     `json:"title"`
	Style string     `json:"style,omitempty"`
	Data  submitData `json:"data"`
}

// submitData is what a button sends back. Input, on a picker's button,
// names the menu whose value is the pick (render_picker.go).
type submitData struct {
	Action string `json:"action"`
	Value  string `json:"value"`
	Input  string `json:"input,omitempty"`
}

// block is a rendered element with the mentions its text uses.
type block struct {
	el       element
	mentions []schema.Mention
}

// renderCards renders resp as Adaptive Cards: title and text first, then
// one container per section (with its picker's menu and button, if any),
// the context line and the buttons last. When the whole does not fit in
// maxCardBytes, sections continue on further cards; a section too large for
// a card of its own is truncated.
func renderCards(resp commands.Response, dir directory) []message {
	var head []block
	if resp.Title != "" {
		head = append(head, textBlock(resp.Title, dir, element{Size: "Medium", Weight: "Bolder", Style: "heading"}))
	}
	if resp.Text != "" {
		head = append(head, textBlock(resp.Text, dir, element{}))
	}
	var tail []block
	if resp.Context != "" {
		tail = append(tail, textBlock(resp.Context, dir, element{Size: "Small", IsSubtle: true, Spacing: "Medium"}))
	}
	actions := cardActions(resp.Buttons)
	summary := cardSummary(resp, dir)

	var cards [][]block
	cur := head
	picks := 0
	for _, s := range resp.Sections {
		sec := sectionBlock(s, dir)
		if s.Picker != nil && len(s.Picker.Options) > 0 {
			sec = withPicker(sec, *s.Picker, pickerInputID(picks))
			picks++
		}
		if fits(append(cur[:len(cur):len(cur)], sec), nil) || len(cur) == 0 {
			cur = append(cur, shrinkToFit(sec))
			continue
		}
		cards = append(cards, cur)
		cur = []block{shrinkToFit(sec)}
	}
	if !fits(append(cur[:len(cur):len(cur)], tail...), actions) && len(cur) > 0 {
		cards = append(cards, cur)
		cur = nil
	}
	cards = append(cards, append(cur, tail...))

	out := make([]message, 0, len(cards))
	for i, blocks := range cards {
		var acts []action
		if i == len(cards)-1 {
			acts = actions
		}
		out = append(out, message{
			Summary:     summary,
			Attachments: []schema.Attachment{{ContentType: cardContentType, Content: buildCard(blocks, acts)}},
		})
	}
	return out
}

func textBlock(s string, dir directory, style element) block {
	m := &mentionSet{}
	style.Type, style.Text, style.Wrap = "TextBlock", cardText(s, dir, m), true
	return block{el: style, mentions: m.list}
}

// sectionBlock renders a section as a separated Container. Fields become a
// FactSet, or bold-labelled lines when a value mentions someone (mentions
// are most reliable in TextBlocks).
func sectionBlock(s commands.Section, dir directory) block {
	m := &mentionSet{}
	c := element{Type: "Container", Separator: true, Spacing: "Medium"}
	if s.Title != "" {
		c.Items = append(c.Items, element{Type: "TextBlock", Text: cardText(s.Title, dir, m), Weight: "Bolder", Wrap: true})
	}
	if s.Text != "" {
		c.Items = append(c.Items, element{Type: "TextBlock", Text: cardText(s.Text, dir, m), Wrap: true})
	}
	if len(s.Fields) > 0 {
		if fieldsMention(s.Fields) {
			for _, f := range s.Fields {
				c.Items = append(c.Items, element{Type: "TextBlock", Wrap: true, Spacing: "Small",
					Text: "**" + markdownEscape(commands.PlainText(f.Label)) + ":** " + cardText(f.Value, dir, m)})
			}
		} else {
			fs := element{Type: "FactSet"}
			for _, f := range s.Fields {
				fs.Facts = append(fs.Facts, fact{Title: cardText(f.Label, dir, m), Value: cardText(f.Value, dir, m)})
			}
			c.Items = append(c.Items, fs)
		}
	}
	return block{el: c, mentions: m.list}
}

func fieldsMention(fs []commands.Field) bool {
	for _, f := range fs {
		for _, sp := range commands.Spans(f.Value) {
			if sp.Kind == commands.SpanUser {
				return true
			}
		}
	}
	return false
}

func cardActions(buttons []commands.Button) []action {
	var out []action
	for _, b := range buttons {
		a := action{Type: "Action.Submit", Title: commands.PlainText(b.Label), Data: submitData{Action: b.Action, Value: b.Value}}
		switch b.Style {
		case commands.StylePrimary:
			a.Style = "positive"
		case commands.StyleDanger:
			a.Style = "destructive"
		}
		out = append(out, a)
	}
	return out
}

func cardSummary(resp commands.Response, dir directory) string {
	s := plainText(resp.Text, dir)
	if s == "" {
		s = plainText(resp.Title, dir)
	}
	if len(s) > maxSummary {
		s = truncateUTF8(s, maxSummary-3) + "…"
	}
	return s
}

// buildCard assembles a card from blocks, collecting their mentions.
func buildCard(blocks []block, acts []action) card {
	c := card{Type: "AdaptiveCard", Schema: cardSchema, Version: cardVersion, Body: []element{}, Actions: acts,
		MSTeams: &cardTeams{Width: "Full"}}
	seen := map[string]bool{}
	for _, b := range blocks {
		c.Body = append(c.Body, b.el)
		for _, m := range b.mentions {
			if k := m.Text + "\x00" + m.Mentioned.ID; !seen[k] {
				seen[k] = true
				c.MSTeams.Entities = append(c.MSTeams.Entities, m)
			}
		}
	}
	return c
}

func cardSize(blocks []block, acts []action) int {
	return len(marshalJSON(buildCard(blocks, acts)))
}

func fits(blocks []block, acts []action) bool { return cardSize(blocks, acts) <= maxCardBytes }

// shrinkToFit truncates the text of a block that alone exceeds a card,
// longest text first, until it fits.
func shrinkToFit(b block) block {
	for !fits([]block{b}, nil) {
		t := longestText(&b.el)
		if t == nil || len(*t) < 64 {
			return b // nothing left to cut; Teams will refuse it, the log will say why
		}
		over := cardSize([]block{b}, nil) - maxCardBytes
		n := len(*t) - over - 16
		if n < len(*t)/2 {
			n = len(*t) / 2
		}
		cut := truncateUTF8(*t, n)
		cut = strings.TrimRight(cut, `\`) // never leave a dangling escape
		*t = cut + "…"
	}
	kept := b.mentions[:0:0]
	raw := marshalJSON(b.el)
	for _, m := range b.mentions {
		if strings.Contains(string(raw), m.Text) {
			kept = append(kept, m)
		}
	}
	b.mentions = kept
	return b
}

// longestText finds the longest text (or fact value) inside e.
func longestText(e *element) *string {
	var best *string
	var walk func(e *element)
	walk = func(e *element) {
		if best == nil || len(e.Text) > len(*best) {
			best = &e.Text
		}
		for i := range e.Facts {
			if len(e.Facts[i].Value) > len(*best) {
				best = &e.Facts[i].Value
			}
		}
		for i := range e.Items {
			walk(&e.Items[i])
		}
	}
	walk(e)
	return best
}
