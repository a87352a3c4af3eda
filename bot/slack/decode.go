package slack

import (
	"strings"
	"unicode"

	"github.com/outcomebot/outcomebot/commands"
)

// This file turns the text of a slash command as Slack sends it into the
// core's inbound text (see manifests/slack/README.md, "Slash commands and
// interactivity payloads"): Slack writes the mentions a user picked as
// <@U1|name>, <#C1|name>, <!subteam^S1|name> and <!here>, links as
// <https://…|label>, and escapes what the user typed (&amp; &lt; &gt;), so
// every '<' in the payload opens a form Slack wrote, never one typed.

// inboundText is a slash command's text for the core: each mention becomes
// the core's markup (commands.UserMention, ChannelMention, GroupMention),
// a special mention (<!here>) the plain word "@here", a link its URL, a
// broken form commands.BrokenMention; the text between is unescaped, with
// any markup runes removed, so nothing typed can forge a mention.
func inboundText(s string) string {
	if !strings.ContainsAny(s, "<&") && !strings.ContainsAny(s, "\uE000\uE001\uE002") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(decodeText(s))
			return b.String()
		}
		b.WriteString(decodeText(s[:i]))
		s = s[i:]
		markup, n := readForm(s)
		b.WriteString(markup)
		s = s[n:]
	}
}

// decodeText undoes Slack's escaping of typed text (&amp;, &lt;, &gt;), so
// "a & b" reaches the core as typed and is not escaped twice when shown,
// and removes markup runes.
func decodeText(s string) string {
	s = commands.StripMarkers(s)
	if !strings.Contains(s, "&") {
		return s
	}
	return textDecoder.Replace(s)
}

var textDecoder = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// readForm reads the form s starts with (s[0] is '<') as the core's text,
// and its length in bytes (at least 1). A '<' that opens no form ("<3")
// stays as it is.
func readForm(s string) (string, int) {
	if len(s) > 1 && (s[1] == '@' || s[1] == '#' || s[1] == '!') {
		if markup, n := mentionForm(s); n > 0 {
			return markup, n
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if gt := formEnd(s); gt > 0 {
			end = gt + 1
		}
		if end < 0 {
			end = len(s)
		}
		return commands.BrokenMention(decodeText(s[:end])), end
	}
	if target, n := linkForm(s); n > 0 {
		return decodeText(target), n
	}
	return "<", 1
}

// formEnd returns the index of the '>' closing the form s starts with, or
// -1 if a '<' or a line break comes first or there is none.
func formEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '>':
			return i
		case '<', '\n':
			return -1
		}
	}
	return -1
}

// mentionForm reads <@U1|label>, <#C1|label> or a <!…> form at the start of
// s as the core's text, with its length; length 0 if it is broken.
func mentionForm(s string) (string, int) {
	gt := formEnd(s)
	if gt < 0 {
		return "", 0
	}
	body, label, _ := strings.Cut(s[2:gt], "|")
	label = decodeText(label)
	switch s[1] {
	case '@':
		if validID(body) {
			return commands.UserMention(body, label), gt + 1
		}
	case '#':
		if validID(body) {
			return commands.ChannelMention(body, label), gt + 1
		}
	default:
		if text := specialMention(body, label); text != "" {
			return text, gt + 1
		}
	}
	return "", 0
}

// specialMention turns the body of a <!…> form into a group mention
// (subteam^S1) or a plain word that can never notify anyone: "@channel",
// "@here", "@everyone", else the label or "@name"; "" if it is broken.
func specialMention(body, label string) string {
	name, arg, _ := strings.Cut(body, "^")
	switch {
	case strings.EqualFold(name, "subteam"):
		if validID(arg) {
			return commands.GroupMention(arg, label)
		}
		return ""
	case strings.EqualFold(name, "channel"):
		return "@channel"
	case strings.EqualFold(name, "here"):
		return "@here"
	case strings.EqualFold(name, "everyone"):
		return "@everyone"
	case name == "":
		return ""
	case label != "":
		return label
	}
	return "@" + name
}

// validID reports whether id looks like a Slack id: 1–128 of A–Z, a–z,
// 0–9 and ":._@-".
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !isASCIILetter(c) && (c < '0' || c > '9') && !strings.ContainsRune(":._@-", rune(c)) {
			return false
		}
	}
	return true
}

// linkForm reads Slack's link form <scheme:target|label> at the start of s
// as its target (an e-mail address without "mailto:"), with its length;
// length 0 if s does not start with one.
func linkForm(s string) (string, int) {
	gt := formEnd(s)
	if gt < 0 {
		return "", 0
	}
	target, _, _ := strings.Cut(s[1:gt], "|")
	colon := strings.IndexByte(target, ':')
	if colon < 1 || colon == len(target)-1 || !isScheme(target[:colon]) ||
		strings.IndexFunc(target, unicode.IsSpace) >= 0 {
		return "", 0
	}
	if len(target) >= 7 && strings.EqualFold(target[:7], "mailto:") {
		target = target[7:]
	}
	return target, gt + 1
}

// isScheme reports whether s is a URL scheme: a letter, then letters,
// digits, '+', '-' or '.'.
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && (i == 0 || (c < '0' || c > '9') && c != '+' && c != '-' && c != '.') {
			return false
		}
	}
	return s != ""
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
