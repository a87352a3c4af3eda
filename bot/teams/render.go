package teams

import (
	"bytes"
	"encoding/json"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/outcomebot/outcomebot/commands"
)

// Rendering turns a neutral commands.Response into Teams messages. It is
// pure: everything it needs to know about people and channels comes in a
// directory the caller resolved beforehand (resolve.go), so the same
// Response always renders to the same JSON (checked by golden files).
//
// A Response with only text (and a context line) becomes a text message in
// Teams' HTML subset (textFormat "xml"); anything with a title, sections or
// buttons becomes an Adaptive Card (render_card.go). User text is escaped
// for its target so it can never form an <at> mention, a tag or a link.

// person is what the renderer knows about a user id from the core.
type person struct {
	// MentionID is the id to put in a mention entity: the Bot Framework id
	// ("29:…") when known, else the id the core used (an aad object id).
	MentionID string
	// Name is the display name; the id itself when no name is known.
	Name string
}

// directory maps the user and channel ids a Response mentions to what the
// renderer shows for them.
type directory struct {
	People   map[string]person // by the core's user id
	Channels map[string]string // conversation id → display name
}

func (d directory) person(id string) person {
	if p, ok := d.People[id]; ok && p.Name != "" {
		if p.MentionID == "" {
			p.MentionID = id
		}
		return p
	}
	return person{MentionID: id, Name: id}
}

// name is what a name span shows: the display name the directory knows,
// else the name the span carries, else the id; as text, never a mention.
func (d directory) name(sp commands.Span) string {
	if p, ok := d.People[sp.Target]; ok && strings.TrimSpace(p.Name) != "" {
		return commands.Clip(p.Name, commands.MaxNameRunes)
	}
	return commands.Clip(sp.NameText(), commands.MaxNameRunes)
}

func (d directory) channel(id string) string {
	if n := d.Channels[id]; n != "" {
		return n
	}
	return id
}

// message is one rendered Teams message: the parts of an activity the
// renderer decides. The connector adds the addressing.
type message struct {
	TextFormat  schema.TextFormatTypes `json:"textFormat,omitempty"`
	Text        string                 `json:"text,omitempty"`
	Summary     string                 `json:"summary,omitempty"`
	Attachments []schema.Attachment    `json:"attachments,omitempty"`
	Entities    []schema.Mention       `json:"entities,omitempty"`
}

// Limits of rendered messages.
const (
	// maxMessageBytes keeps a whole activity (envelope included) under the
	// 28 KB every revision of the Teams docs accepts.
	maxMessageBytes = 28 << 10
	// maxCardBytes is the budget of one card's JSON, leaving room for the
	// activity envelope.
	maxCardBytes = maxMessageBytes - 2<<10
	// maxSummary bounds the notification summary.
	maxSummary = 200
)

// renderResponse renders resp as one or more messages: a text message when
// resp is only text, else Adaptive Cards split to stay under maxCardBytes.
func renderResponse(resp commands.Response, dir directory) []message {
	if resp.Title == "" && len(resp.Sections) == 0 && len(resp.Buttons) == 0 {
		return []message{renderText(resp, dir)}
	}
	return renderCards(resp, dir)
}

// renderText renders a text-only Response as a text message.
func renderText(resp commands.Response, dir directory) message {
	m := &mentionSet{}
	text := htmlText(resp.Text, dir, m)
	if resp.Context != "" {
		text += "<br><i>" + htmlText(resp.Context, dir, m) + "</i>"
	}
	msg := message{TextFormat: schema.XML, Text: text, Entities: m.list}
	// The whole message counts (text as JSON-encoded, and the mention
	// entities): clip the text until it fits, dropping the mentions cut off.
	for size := len(marshalJSON(msg)); size > maxCardBytes && text != ""; size = len(marshalJSON(msg)) {
		text = clipHTML(text, max(len(text)-(size-maxCardBytes)-16, len(text)/2))
		m.keepUsedIn(text)
		msg.Text, msg.Entities = text+"…", m.list
	}
	return msg
}

// clipHTML cuts Teams HTML to at most n bytes without leaving a partial
// tag, character reference or <at> mention at the end.
func clipHTML(s string, n int) string {
	s = truncateUTF8(s, n)
	if i := strings.LastIndexByte(s, '<'); i > strings.LastIndexByte(s, '>') {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "<at>"); i >= 0 && !strings.Contains(s[i:], "</at>") {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '&'); i > strings.LastIndexByte(s, ';') {
		s = s[:i]
	}
	return s
}

// mentionSet collects the mention entities of one message.
type mentionSet struct {
	list []schema.Mention
}

// add records a mention of p and returns the text that mentions it.
func (m *mentionSet) add(p person) string {
	text := "<at>" + mentionName(p.Name) + "</at>"
	for _, e := range m.list {
		if e.Text == text && e.Mentioned.ID == p.MentionID {
			return text
		}
	}
	m.list = append(m.list, schema.Mention{
		Type:      "mention",
		Text:      text,
		Mentioned: schema.ChannelAccount{ID: p.MentionID, Name: mentionName(p.Name)},
	})
	return text
}

// keepUsedIn drops mentions whose text no longer appears in s.
func (m *mentionSet) keepUsedIn(s string) {
	kept := m.list[:0]
	for _, e := range m.list {
		if strings.Contains(s, e.Text) {
			kept = append(kept, e)
		}
	}
	m.list = kept
}

// mentionName makes a display name safe inside <at>…</at> in both HTML and
// card markdown.
func mentionName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch r {
		case '<', '>', '&', '*', '_', '[', ']', '\\', '`', '~', '\n', '\r':
			return -1
		}
		return r
	}, commands.StripMarkers(name))
	if strings.TrimSpace(name) == "" {
		return "user"
	}
	return strings.TrimSpace(name)
}

// htmlText renders marked-up text in Teams' HTML subset.
func htmlText(s string, dir directory, m *mentionSet) string {
	var b strings.Builder
	for _, sp := range commands.Spans(s) {
		switch sp.Kind {
		case commands.SpanBold:
			b.WriteString("<b>" + htmlEscape(sp.Text) + "</b>")
		case commands.SpanCode:
			b.WriteString("<code>" + htmlEscape(sp.Text) + "</code>")
		case commands.SpanUser:
			b.WriteString(m.add(dir.person(sp.Target)))
		case commands.SpanName:
			b.WriteString(htmlEscape(dir.name(sp)))
		case commands.SpanChannel:
			b.WriteString("<b>#" + htmlEscape(dir.channel(sp.Target)) + "</b>")
		case commands.SpanLink:
			label := sp.Label()
			if u, ok := commands.SafeURL(sp.Target); ok {
				b.WriteString(`<a href="` + html.EscapeString(u) + `">` + htmlEscape(label) + "</a>")
			} else {
				b.WriteString(htmlEscape(label))
			}
		default:
			b.WriteString(htmlEscape(sp.Text))
		}
	}
	return b.String()
}

// htmlEscape escapes user text for Teams' HTML subset; newlines become <br>.
func htmlEscape(s string) string {
	return strings.ReplaceAll(html.EscapeString(commands.Printable(s)), "\n", "<br>")
}

// cardText renders marked-up text as Adaptive Card markdown.
func cardText(s string, dir directory, m *mentionSet) string {
	var b strings.Builder
	for _, sp := range commands.Spans(s) {
		switch sp.Kind {
		case commands.SpanBold:
			if t := markdownEscape(sp.Text); strings.TrimSpace(t) != "" {
				b.WriteString("**" + t + "**")
			}
		case commands.SpanCode:
			// Card markdown has no inline code: show the text as is.
			b.WriteString(markdownEscape(sp.Text))
		case commands.SpanUser:
			b.WriteString(m.add(dir.person(sp.Target)))
		case commands.SpanName:
			b.WriteString(markdownEscape(dir.name(sp)))
		case commands.SpanChannel:
			b.WriteString("**#" + markdownEscape(dir.channel(sp.Target)) + "**")
		case commands.SpanTime:
			b.WriteString(cardTime(sp))
		case commands.SpanLink:
			label := sp.Label()
			if u, ok := commands.SafeURL(sp.Target); ok {
				b.WriteString("[" + markdownEscape(label) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(u) + ")")
			} else {
				b.WriteString(markdownEscape(label))
			}
		default:
			b.WriteString(markdownEscape(sp.Text))
		}
	}
	return b.String()
}

// markdownEscape makes user text literal in card markdown: markdown
// punctuation is backslash-escaped, and a zero-width space after every '<'
// keeps any "<at>" (or other tag) from forming, and after every '{' any
// "{{DATE(…)}}" or "{{TIME(…)}}" function (see cardTime).
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "`", "\\`", "~", `\~`,
	"<", "<\u200b", "{", "{\u200b",
)

// cardTime renders a time span for a card TextBlock with the card's date
// functions, {{DATE(2026-12-07T10:00:00Z, SHORT)}} {{TIME(…)}}: Teams shows
// the instant in each reader's zone and locale. A span the core did not
// write is plain text.
func cardTime(sp commands.Span) string {
	t, style, ok := sp.Time()
	if !ok {
		return markdownEscape(sp.Text)
	}
	at := t.UTC().Format("2006-01-02T15:04:05Z")
	if style == commands.TimeClock {
		return "{{TIME(" + at + ")}}"
	}
	return "{{DATE(" + at + ", SHORT)}} {{TIME(" + at + ")}}"
}

func markdownEscape(s string) string { return markdownEscaper.Replace(s) }

// plainText renders marked-up text without markup, names instead of ids:
// for notification summaries.
func plainText(s string, dir directory) string {
	var b strings.Builder
	for _, sp := range commands.Spans(s) {
		switch sp.Kind {
		case commands.SpanUser:
			b.WriteString("@" + mentionName(dir.person(sp.Target).Name))
		case commands.SpanName:
			b.WriteString(dir.name(sp))
		case commands.SpanChannel:
			b.WriteString("#" + dir.channel(sp.Target))
		case commands.SpanLink:
			if sp.Text != "" {
				b.WriteString(sp.Text)
			} else {
				b.WriteString(sp.Target)
			}
		default:
			b.WriteString(sp.Text)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// marshalJSON encodes v without HTML escaping, as sent on the wire: "<at>"
// stays readable and sizes are what Teams counts. Rendered values always
// encode; a failure yields "null".
func marshalJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
