package commands

import (
	"net/url"
	"strings"
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

// Spans splits marked-up text into spans, in order.
func Spans(s string) []Span {
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
