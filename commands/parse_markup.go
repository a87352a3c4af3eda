package commands

import (
	"strings"
)

// Mentions in command text: the adapters write them in the core's markup
// (UserMention, ChannelMention, GroupMention, BrokenMention); the parser
// reads each as a token and free text shows them as plain "@name".

// mentionAt reads the markup span s starts with (s[0] is markOpen) and its
// length in bytes. A user, channel or group mention becomes its token; a
// broken one is refused with a hint. cleanText has left only whole spans
// of these kinds; anything else is refused like a broken mention.
func mentionAt(s string) (Token, int, error) {
	end := strings.IndexRune(s, markClose)
	if end < 0 {
		return Token{}, 0, brokenMention(StripMarkers(s))
	}
	n := end + len(string(markClose))
	spans := Spans(s[:n])
	if len(spans) != 1 {
		return Token{}, 0, brokenMention(StripMarkers(s[:n]))
	}
	sp := spans[0]
	switch sp.Kind {
	case SpanUser:
		return Token{Kind: TokenUser, ID: sp.Target, Text: sp.Text}, n, nil
	case SpanChannel:
		return Token{Kind: TokenChannel, ID: sp.Target, Text: sp.Text}, n, nil
	case SpanGroup:
		return Token{Kind: TokenGroup, ID: sp.Target, Text: sp.Text}, n, nil
	}
	return Token{}, 0, brokenMention(sp.Text)
}

// brokenMention is the error for a mention the platform sent incomplete,
// quoting it as typed.
func brokenMention(typed string) error {
	return Userf("`%s` is not a complete mention; pick the person, channel or group from the list that appears as you type @ or #, or write `here` for this channel", excerpt(typed))
}

// plainMentions rewrites the mentions in free text (a reason, a note) as
// the plain text a reader would expect: a user or group as "@maria", a
// channel as "#ops", a broken mention as typed. The result holds no markup,
// so it can never notify anyone wherever it is shown.
func plainMentions(s string) string {
	if !strings.ContainsRune(s, markOpen) {
		return StripMarkers(s)
	}
	var b strings.Builder
	for _, sp := range Spans(s) {
		label := sp.Text
		if label == "" {
			label = sp.Target
		}
		switch sp.Kind {
		case SpanUser, SpanGroup:
			b.WriteString("@" + strings.TrimPrefix(label, "@"))
		case SpanChannel:
			b.WriteString("#" + strings.TrimPrefix(label, "#"))
		case SpanLink:
			b.WriteString(PlainText(mark(SpanLink, sp.Target, sp.Text)))
		default:
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}
