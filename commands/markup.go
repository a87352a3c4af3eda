package commands

import (
	"net/url"
	"strings"

	"github.com/outcomebot/outcomebot/store/record"
)

// Markup: text in a Response is plain text with a few embedded markers the
// core inserts through the helpers below. The markers use Unicode
// private-use runes that the parser strips from all user input, so a user can
// never forge one. Renderers split text with Spans and escape every plain
// span for their platform.
const (
	markOpen  = '\uE000' // starts a marked span; the next rune is its kind
	markSep   = '\uE001' // separates a link's target from its label
	markClose = '\uE002' // ends a marked span
)

// SpanKind says how a span of text is rendered.
type SpanKind byte

// Span kinds: plain text and the markup the renderers draw.
const (
	SpanText    SpanKind = 0
	SpanBold    SpanKind = 'b'
	SpanCode    SpanKind = 'c'
	SpanUser    SpanKind = 'u' // Target is a user id
	SpanChannel SpanKind = 'h' // Target is a channel id
	SpanLink    SpanKind = 'l' // Target is a URL, Text the label
	// SpanName shows a person by name without notifying them: Target is a
	// user id, Text the display name once an adapter has resolved it.
	SpanName SpanKind = 'n'
	// SpanTime is an instant each reader should see in their own zone:
	// Target is its unix seconds and style (see Span.Time), Text the
	// fallback in the bot's default zone with the zone's abbreviation.
	SpanTime SpanKind = 't'
	// SpanGroup (a user group: Target its id) and SpanBroken (a mention the
	// platform sent incomplete: Text as typed) occur only in inbound text.
	SpanGroup  SpanKind = 'g'
	SpanBroken SpanKind = 'x'
)

// Span is one piece of marked-up text.
type Span struct {
	Kind   SpanKind
	Text   string
	Target string
}

func mark(kind SpanKind, target, text string) string {
	var b strings.Builder
	b.Grow(len(target) + len(text) + 12)
	b.WriteRune(markOpen)
	b.WriteByte(byte(kind))
	b.WriteString(StripMarkers(target))
	b.WriteRune(markSep)
	b.WriteString(StripMarkers(text))
	b.WriteRune(markClose)
	return b.String()
}

// Mention marks a user mention: it notifies the user where the platform allows.
func Mention(userID string) string { return mark(SpanUser, userID, "") }

// Name marks a person shown by name, never as a notifying mention: the
// renderers show the user's display name as plain text (Slack: resolved
// with users.info; Teams: the name seen in the user's activities; the
// shell: the id as typed). Reports read by many, like the digest, name
// people this way; only the escalation ladder mentions them.
func Name(userID string) string { return mark(SpanName, userID, "") }

// NamedAs marks a person shown by name with the display name resolved: the
// adapters rewrite Name spans to it before rendering.
func NamedAs(userID, name string) string { return mark(SpanName, userID, name) }

// NameOr renders a user id as a name (see Name), or a placeholder when unset.
func NameOr(id, unset string) string {
	if id == "" {
		return unset
	}
	if src, ok := record.ITSMSource(id); ok { // closed in the ITSM, not by a person
		if name := SourceName(src); name != "" {
			return name
		}
		return "the ITSM"
	}
	return Name(id)
}

// WithNames returns s with each name span's display name set to name(its
// user id); a name of "" leaves the span as it was. Adapters call it with
// the names they resolved, before rendering.
func WithNames(s string, name func(userID string) string) string {
	if NameSpans(s) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	rest := s
	for {
		i := strings.Index(rest, string(markOpen)+string(SpanName))
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		n := spanEnd(rest[i:])
		if n == 0 { // malformed: leave the rest as it is
			b.WriteString(rest[i:])
			return b.String()
		}
		sp := Spans(rest[i : i+n])[0]
		if got := name(sp.Target); got != "" {
			b.WriteString(NamedAs(sp.Target, got))
		} else {
			b.WriteString(rest[i : i+n])
		}
		rest = rest[i+n:]
	}
}

// spanEnd returns the length of the marked span s starts with, or 0.
func spanEnd(s string) int {
	end := strings.IndexRune(s, markClose)
	if end < 0 {
		return 0
	}
	return end + len(string(markClose))
}

// NameSpans counts the name spans in s: a renderer widens each to a display
// name of up to MaxNameRunes, so size budgets count them at that width.
func NameSpans(s string) int { return strings.Count(s, string(markOpen)+string(SpanName)) }

// NameText is the neutral text a name span shows: its resolved display
// name, else the user id itself (never a mention).
func (s Span) NameText() string {
	if strings.TrimSpace(s.Text) != "" {
		return s.Text
	}
	return s.Target
}

// ChannelLink marks a reference to a channel.
func ChannelLink(channelID string) string { return mark(SpanChannel, channelID, "") }

// Inbound markup: adapters hand the core the mentions users typed in the
// core's own markup, never in their platform's syntax, after removing
// markup runes from everything the user typed (StripMarkers), so typed text
// can never forge a mention. A label is the name the user saw ("maria");
// an id may be "" where the platform gave none.

// UserMention marks a mention of a user, with the name shown.
func UserMention(id, label string) string { return mark(SpanUser, id, label) }

// ChannelMention marks a mention of a channel, with the name shown.
func ChannelMention(id, label string) string { return mark(SpanChannel, id, label) }

// GroupMention marks a mention of a user group, with the name shown.
func GroupMention(id, label string) string { return mark(SpanGroup, id, label) }

// BrokenMention marks a mention the platform sent incomplete ("<@U1"), as
// typed: the parser refuses it with a hint.
func BrokenMention(typed string) string { return mark(SpanBroken, "", typed) }

// Link marks a hyperlink with a label.
func Link(url, label string) string { return mark(SpanLink, url, label) }

// Bold marks bold text.
func Bold(s string) string { return mark(SpanBold, "", s) }

// Code marks monospace text (ticket refs, keys, commands).
func Code(s string) string { return mark(SpanCode, "", s) }

// StripMarkers removes markup runes from s. The parser applies it to all
// user input so users cannot forge mentions or links.
func StripMarkers(s string) string {
	if !strings.ContainsAny(s, "\uE000\uE001\uE002") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == markOpen || r == markSep || r == markClose {
			return -1
		}
		return r
	}, s)
}

// Spans splits marked-up text into spans, in order. Each span's text and
// target are Printable.
func Spans(s string) []Span {
	s = Printable(s)
	var out []Span
	for len(s) > 0 {
		i := strings.IndexRune(s, markOpen)
		if i < 0 {
			out = append(out, Span{Kind: SpanText, Text: s})
			break
		}
		if i > 0 {
			out = append(out, Span{Kind: SpanText, Text: s[:i]})
		}
		rest := s[i+len(string(markOpen)):]
		end := strings.IndexRune(rest, markClose)
		if end < 1 {
			// Malformed: drop the marker, keep the text.
			out = append(out, Span{Kind: SpanText, Text: StripMarkers(rest)})
			break
		}
		body := rest[1:end]
		sp := Span{Kind: SpanKind(rest[0])}
		if j := strings.IndexRune(body, markSep); j >= 0 {
			sp.Target, sp.Text = body[:j], body[j+len(string(markSep)):]
		} else {
			sp.Text = body
		}
		out = append(out, sp)
		s = rest[end+len(string(markClose)):]
	}
	return out
}

// PlainText renders marked-up text as plain text: mentions as @id, channels
// as #id, links as "label (url)". Used for logs, the shell and fallbacks
// where no markup is possible.
func PlainText(s string) string {
	var b strings.Builder
	for _, sp := range Spans(s) {
		switch sp.Kind {
		case SpanUser:
			b.WriteString("@" + sp.Target)
		case SpanChannel:
			b.WriteString("#" + sp.Target)
		case SpanName:
			b.WriteString(sp.NameText())
		case SpanLink:
			if sp.Text == "" || sp.Text == sp.Target {
				b.WriteString(sp.Target)
			} else {
				b.WriteString(sp.Text + " (" + sp.Target + ")")
			}
		default:
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}

// Label returns a link span's label, or its target when it has none.
func (s Span) Label() string {
	if s.Text == "" {
		return s.Target
	}
	return s.Text
}

// SafeURL returns a link target a renderer may emit as a link: an absolute
// http or https URL with a host, or a mailto address. Anything else
// (javascript:, relative, hostless) is not ok, and renderers show the label
// as plain text instead. Each renderer still escapes the URL for its format.
func SafeURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", false
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
	case "mailto":
	default:
		return "", false
	}
	return u.String(), true
}
