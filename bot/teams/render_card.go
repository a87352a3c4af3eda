package teams

import (
	"fmt"

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
	// Refresh lets the users it names fetch their own view of the card
	// (render_execute.go).
	Refresh *cardRefresh `json:"refresh,omitempty"`
}

// cardTeams is the card's Teams extension: full width and the mention entities.
type cardTeams struct {
	Width    string           `json:"width,omitempty"`
	Entities []schema.Mention `json:"entities,omitempty"`
}

// element is a TextBlock, Container, FactSet, Input.ChoiceSet, Input.Text
// or ActionSet; unused fields are omitted.
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
	Choices     []choice `json:"choices,omitzero"` // an empty, non-nil list is sent: the people picker's
	// ChoicesData fills an Input.ChoiceSet as the user types (the people
	// picker: render_form.go).
	ChoicesData *dataQuery `json:"choices.data,omitempty"`
	// ActionSet
	Actions []action `json:"actions,omitempty"`
	// TextBlock color, and the inputs of a dialog (render_form.go)
	Color        string `json:"color,omitempty"`
	Label        string `json:"label,omitempty"`
	Value        string `json:"value,omitempty"`
	IsMultiline  bool   `json:"isMultiline,omitempty"`
	MaxLength    int    `json:"maxLength,omitempty"`
	IsRequired   bool   `json:"isRequired,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	// Chart.Line and Chart.VerticalBar (render_chart.go)
	Title    string   `json:"title,omitempty"`
	Data     any      `json:"data,omitempty"`
	Fallback *element `json:"fallback,omitempty"`
}

type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// action is a button. An Action.Submit's data arrives back as the value of
// a message activity (inbound.go); an Action.Execute's (a Button, see
// render_execute.go) as an adaptiveCard/action invoke naming Verb, with
// Fallback, an Action.Submit with the same data, for clients without it.
type action struct {
	Type     string     `json:"type"`
	Title    string     `json:"title"`
	Verb     string     `json:"verb,omitempty"`
	Style    string     `json:"style,omitempty"`
	Data     submitData `json:"data"`
	Fallback *action    `json:"fallback,omitempty"`
}

// submitData is what a button sends back. Input, on a picker's button,
// names the menu whose value is the pick (render_picker.go).
type submitData struct {
	Action string `json:"action"`
	Value  string `json:"value"`
	Input  string `json:"input,omitempty"`
	// MSTeams and Form, on a button that opens a dialog, make Teams send
	// a task/fetch invoke naming the form instead of a message (invoke.go).
	MSTeams *teamsAction `json:"msteams,omitempty"`
	Form    *formData    `json:"outcomebot,omitempty"`
}

// block is a rendered element with the mentions its text uses.
type block struct {
	el       element
	mentions []schema.Mention
}

// renderCards renders resp as Adaptive Cards: title and text first, then
// one container per section (with its picker's menu and button, if any),
// the context line and the buttons last. Every card's JSON stays within
// maxCardBytes: when the whole does not fit, sections continue on further
// cards; a text or section too large for a card of its own is split (at
// line breaks, between facts or fields, its title repeated as
// "(continued)"); what cannot be split (a title, a single line, a fact, a
// menu, the context line) is clipped with a visible "…"; buttons that do
// not fit on one card continue on further cards.
func renderCards(resp commands.Response, dir directory) []message {
	var content []block
	if resp.Title != "" {
		title := textBlock(resp.Title, dir, element{Size: "Medium", Weight: "Bolder", Style: "heading"})
		content = append(content, clipBlock(title, maxTitleBytes))
	}
	if resp.Text != "" {
		if vb, ok := verdictBlocks(resp.Text, dir); ok {
			for _, b := range vb {
				content = append(content, splitTextBlock(b, pieceBudget)...)
			}
		} else {
			content = append(content, splitTextBlock(textBlock(resp.Text, dir, element{}), pieceBudget)...)
		}
	}
	picks := 0
	for _, s := range resp.Sections {
		sec := sectionBlock(s, dir)
		if s.Picker != nil && len(s.Picker.Options) > 0 {
			sec = withPicker(sec, *s.Picker, pickerInputID(picks))
			picks++
		}
		if len(s.Buttons) > 0 {
			// The section's own actions (a queue entry's), under it.
			sec.el.Items = append(sec.el.Items, element{Type: "ActionSet", Spacing: "Small", Actions: cardActions(s.Buttons)})
		}
		if s.Title != "" || s.Text != "" || len(s.Fields) > 0 || s.Picker != nil || len(s.Buttons) > 0 {
			content = append(content, splitSection(sec, s.Title != "")...)
		}
		content = append(content, chartBlocks(s.Charts, dir)...)
	}
	var tail []block
	if resp.Context != "" {
		tail = append(tail, clipBlock(textBlock(resp.Context, dir, element{Size: "Small", IsSubtle: true, Spacing: "Medium"}), maxContextBytes))
	}
	chunks := actionChunks(cardActions(resp.Buttons))
	var actions []action
	if len(chunks) > 0 {
		actions = chunks[0]
	}
	summary := cardSummary(resp, dir)

	var cards [][]block
	cur, size := []block(nil), newCardSizer()
	for _, b := range content {
		if len(cur) > 0 && !size.fits(b, 0) {
			cards = append(cards, cur)
			cur, size = nil, newCardSizer()
		}
		cur = append(cur, b)
		size.add(b)
	}
	extra := actionsCost(actions) + refreshCost(resp.Actors)
	for _, b := range tail {
		extra += size.cost(b)
	}
	if len(cur) > 0 && size.total+extra > maxCardBytes {
		cards = append(cards, cur)
		cur = nil
	}
	cards = append(cards, append(cur, tail...))
	acts := make([][]action, len(cards))
	acts[len(acts)-1] = actions
	for i, chunk := range chunks[min(1, len(chunks)):] {
		more := textBlock(fmt.Sprintf("More actions (%d of %d)", i+2, len(chunks)), dir, element{Size: "Small", IsSubtle: true})
		cards = append(cards, []block{more})
		acts = append(acts, chunk)
	}

	out := make([]message, 0, len(cards))
	for i, blocks := range cards {
		c := buildCard(blocks, acts[i])
		if len(cards) == 1 {
			c = withRefresh(c, resp.Actors, dir)
		}
		out = append(out, message{
			Summary:     summary,
			Attachments: []schema.Attachment{{ContentType: cardContentType, Content: c}},
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
// FactSet, or bold-labelled lines when a value mentions someone or shows a
// time (mentions are most reliable in TextBlocks, and the date functions
// work in TextBlocks only).
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
			if sp.Kind == commands.SpanUser || sp.Kind == commands.SpanTime {
				return true
			}
		}
	}
	return false
}

func cardActions(buttons []commands.Button) []action {
	var out []action
	for _, b := range buttons {
		a := action{Type: "Action.Execute", Title: commands.PlainText(b.Label), Verb: b.Action, Data: submitData{Action: b.Action, Value: b.Value}}
		if b.Form != "" {
			// A button that opens a form: Teams sends a task/fetch invoke
			// naming it (with the value as its prefill) and shows the
			// dialog; task/fetch needs Action.Submit, not Action.Execute.
			a.Type, a.Verb = "Action.Submit", ""
			a.Title += "…"
			a.Data.MSTeams, a.Data.Form = &teamsAction{Type: "task/fetch"}, &formData{Form: b.Form}
		}
		switch b.Style {
		case commands.StylePrimary:
			a.Style = "positive"
		case commands.StyleDanger:
			a.Style = "destructive"
		}
		out = append(out, a.withFallback())
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

// Card size budgets. Sizes are of the JSON as sent (marshalJSON); costs of
// parts are added up, which bounds the whole card's size from above.
var (
	// emptyCardBytes is the size of a card with an empty body, no actions
	// and no mention entities.
	emptyCardBytes = len(marshalJSON(buildCard(nil, nil)))
	// pieceBudget is what one block (a text piece, a section or a part of
	// one) may cost, so that any block fits a card of its own, mentions
	// included. The context line and the buttons (at most maxContextBytes
	// and maxActionBytes) go on a card of their own when they do not fit
	// beside the last block.
	pieceBudget = maxCardBytes - emptyCardBytes - len(`,"entities":[]`)
)

const (
	// maxTitleBytes and maxContextBytes bound the card's heading and its
	// context line, which are clipped, not split.
	maxTitleBytes   = 2 << 10
	maxContextBytes = 2 << 10
	// maxActionBytes bounds the buttons on one card; more continue on
	// further cards.
	maxActionBytes = 6 << 10
	// minCut is the shortest text a clip leaves before giving up on it.
	minCut = 16
)
