package slack

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// Slack's message limits (manifests/slack/README.md#block-kit-limits). Lengths are counted by slackLen.
const (
	maxBlocks       = 50    // blocks per message
	maxSectionText  = 3000  // text of a section block
	maxFieldText    = 2000  // one field of a section block
	maxFields       = 10    // fields per section block
	maxHeaderText   = 150   // header block, plain_text only
	maxButtonText   = 75    // a button's label
	maxButtonValue  = 2000  // a button's value
	maxActionID     = 255   // a button's action_id
	maxButtonsBlock = 25    // elements of one actions block
	maxContextText  = 2000  // the footer line
	maxMessageText  = 12000 // every text of one message together (msg_blocks_too_long)
	maxFallbackText = 3000  // the notification fallback "text"
	continuedText   = "(continued)"

	// maxFieldsUnits caps one section block of fields: ten fields of 2,000
	// would be 20,000, over the message total, so fields go in more blocks.
	maxFieldsUnits = 6000
	// maxBlockUnits caps any one content block (a fields block, a section
	// with its picker), so one always fits a message beside the buttons.
	maxBlockUnits = 8000
	// The first message keeps room for its buttons; actions blocks beyond
	// these go in the next messages.
	maxFirstActionUnits  = maxMessageText - maxBlockUnits
	maxFirstActionBlocks = 10
)

// Message is one Slack message ready to post: the notification fallback
// text and the blocks. Both are already escaped. Blocks is nil for a message
// that is only text.
type Message struct {
	Text   string
	Blocks []slack.Block
}

// Render turns a neutral Response into Slack messages. The first is the
// message itself; any others belong in its thread (content beyond one
// message's limits, then resp.Thread). Render is pure: the same Response
// always gives the same messages, and every message is within Slack's limits.
func Render(resp commands.Response) []Message {
	var out []Message
	if m, ok := textOnly(resp); ok {
		out = append(out, m)
	} else {
		out = append(out, renderBlocks(resp)...)
	}
	for _, t := range resp.Thread {
		out = append(out, Render(t)...)
	}
	return out
}

// textOnly renders a Response that is nothing but short text as a plain
// mrkdwn message without blocks.
func textOnly(resp commands.Response) (Message, bool) {
	if resp.Title != "" || len(resp.Sections) > 0 || len(resp.Buttons) > 0 || resp.Context != "" || resp.Text == "" {
		return Message{}, false
	}
	t := mrkdwn(resp.Text)
	if slackLen(t) > maxFallbackText {
		return Message{}, false
	}
	return Message{Text: t}, true
}

// sized is a block with the text units it adds to its message.
type sized struct {
	block slack.Block
	units int
	text  string // mrkdwn text for a fallback, if any
}

// renderBlocks lays out a Response as blocks and packs them into messages.
func renderBlocks(resp commands.Response) []Message {
	var content []sized
	if resp.Title != "" {
		h := truncatePlain(commands.PlainText(resp.Title), maxHeaderText)
		content = append(content, sized{block: slack.NewHeaderBlock(plainObj(h)), units: slackLen(h), text: h})
	}
	for _, chunk := range chunkMrkdwn(resp.Text, maxSectionText) {
		content = append(content, sectionText(chunk))
	}
	for _, s := range limitCharts(resp.Sections) {
		content = append(content, renderSection(s)...)
	}
	var actions []sized
	for _, group := range buttonGroups(resp.Buttons) {
		actions = append(actions, renderButtons(group))
	}
	var footer []sized
	if resp.Context != "" {
		t := firstChunk(resp.Context, maxContextText)
		if t != "" {
			footer = append(footer, sized{block: slack.NewContextBlock("", mrkdwnObj(t)), units: slackLen(t)})
		}
	}
	first, rest := splitActions(actions)
	msgs := pack(append(content, rest...), first, footer)
	fallback := fallbackText(resp)
	for i := range msgs {
		if i == 0 && fallback != "" {
			msgs[i].Text = fallback
		}
		if msgs[i].Text == "" {
			msgs[i].Text = continuedText
		}
	}
	return msgs
}

// pack fills messages with content blocks in order. The buttons go in the
// first message (room is kept for them), then the footer, which ends the
// last message.
func pack(content, actions, footer []sized) []Message {
	var (
		msgs  []Message
		cur   Message
		units int
	)
	fits := func(s sized) bool {
		blocks, u := len(cur.Blocks)+1, units+s.units
		if len(msgs) == 0 {
			for _, a := range actions {
				blocks, u = blocks+1, u+a.units
			}
		}
		return blocks <= maxBlocks && u <= maxMessageText
	}
	flush := func() {
		if len(msgs) == 0 {
			cur.Blocks = appendBlocks(cur.Blocks, actions)
		}
		if len(cur.Blocks) > 0 {
			msgs = append(msgs, cur)
		}
		cur, units = Message{}, 0
	}
	add := func(s sized) {
		if len(cur.Blocks) > 0 && !fits(s) {
			flush()
		}
		if cur.Text == "" && s.text != "" && len(msgs) > 0 {
			cur.Text = firstChunk(s.text, maxFallbackText)
		}
		cur.Blocks = append(cur.Blocks, s.block)
		units += s.units
	}
	for _, c := range content {
		add(c)
	}
	footerUnits := 0
	for _, f := range footer {
		footerUnits += f.units
	}
	if len(footer) > 0 && (len(cur.Blocks)+len(footer) > maxBlocks || units+footerUnits > maxMessageText ||
		!fits(sized{units: footerUnits})) {
		flush()
	}
	if len(msgs) == 0 {
		cur.Blocks = appendBlocks(cur.Blocks, actions)
	}
	cur.Blocks = appendBlocks(cur.Blocks, footer)
	if len(cur.Blocks) > 0 {
		msgs = append(msgs, cur)
	}
	return msgs
}

// splitActions keeps the actions blocks that fit beside the first
// message's content; the rest follow the content in the next messages.
func splitActions(actions []sized) (first, rest []sized) {
	units := 0
	for i, a := range actions {
		if i == maxFirstActionBlocks || units+a.units > maxFirstActionUnits {
			return actions[:i], actions[i:]
		}
		units += a.units
	}
	return actions, nil
}

func appendBlocks(dst []slack.Block, src []sized) []slack.Block {
	for _, s := range src {
		dst = append(dst, s.block)
	}
	return dst
}

// sectionText is a section block holding mrkdwn text.
func sectionText(t string) sized {
	return sized{block: slack.NewSectionBlock(mrkdwnObj(t), nil, nil), units: slackLen(t), text: t}
}

// renderSection renders a neutral Section: its title and text as section
// blocks (the last with the section's picker, if any), its fields up to ten
// and maxFieldsUnits to a section block.
func renderSection(s commands.Section) []sized {
	var out []sized
	text := s.Text
	if s.Title != "" {
		text = commands.Bold(commands.PlainText(s.Title)) + "\n" + text
	}
	for _, chunk := range chunkMrkdwn(text, maxSectionText) {
		out = append(out, sectionText(chunk))
	}
	if s.Picker != nil && len(out) > 0 {
		// A long text and many options would be too much for one block:
		// the picker then gets a section of its own.
		if with := withPicker(out[len(out)-1], s.Picker); with.units <= maxBlockUnits {
			out[len(out)-1] = with
		} else {
			out = append(out, withPicker(sectionText(defaultPickerMessage), s.Picker))
		}
	}
	var (
		objs  []*slack.TextBlockObject
		units int
	)
	flush := func() {
		if len(objs) > 0 {
			out = append(out, sized{block: slack.NewSectionBlock(nil, objs, nil), units: units})
		}
		objs, units = nil, 0
	}
	for _, f := range s.Fields {
		t := firstChunk(commands.Bold(commands.PlainText(f.Label))+"\n"+f.Value, maxFieldText)
		if t == "" {
			continue
		}
		if len(objs) == maxFields || units+slackLen(t) > maxFieldsUnits {
			flush()
		}
		objs = append(objs, mrkdwnObj(t))
		units += slackLen(t)
	}
	flush()
	out = append(out, chartBlocks(s.Charts)...)
	return append(out, sectionButtons(s.Buttons)...)
}

// renderButtons renders up to 25 buttons as one actions block.
func renderButtons(bs []commands.Button) sized {
	var els []slack.BlockElement
	units := 0
	for _, b := range bs {
		label := truncatePlain(commands.PlainText(b.Label), maxButtonText)
		btn := slack.NewButtonBlockElement(clip(b.Action, maxActionID), clip(b.Value, maxButtonValue), plainObj(label))
		switch b.Style {
		case commands.StylePrimary:
			btn.Style = slack.StylePrimary
		case commands.StyleDanger:
			btn.Style = slack.StyleDanger
		}
		els = append(els, btn)
		units += slackLen(label)
	}
	return sized{block: slack.NewActionBlock("", els...), units: units}
}

// fallbackText is the notification text of a message: its text, else its
// title, else its first section, in mrkdwn and within limits.
func fallbackText(resp commands.Response) string {
	for _, s := range []string{resp.Text, resp.Title} {
		if t := firstChunk(s, maxFallbackText); t != "" {
			return t
		}
	}
	for _, s := range resp.Sections {
		if t := firstChunk(s.Title+"\n"+s.Text, maxFallbackText); t != "" {
			return t
		}
	}
	return ""
}

// firstChunk renders s as mrkdwn cut to max units ("…" marks a cut).
func firstChunk(s string, max int) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	chunks := chunkMrkdwn(s, max-1)
	if len(chunks) == 0 {
		return ""
	}
	if len(chunks) > 1 {
		return chunks[0] + "…"
	}
	return chunks[0]
}

// clip cuts an identifier to max bytes at a rune boundary.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:cutRaw(s, max)]
}

func plainObj(t string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, t, true, false)
}

// mrkdwnObj is a mrkdwn text object with verbatim on: Slack does not
// auto-link or auto-mention anything in it.
func mrkdwnObj(t string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, t, false, true)
}
