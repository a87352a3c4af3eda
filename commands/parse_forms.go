package commands

import (
	"strings"
	"unicode"
)

// The <…> forms of the grammar: Slack mentions and links, Teams <at>
// mentions, and broken ones.

// angle reads a Slack or Teams form at p.pos: <@U1|label>, <#C1|label>,
// <!subteam^S1|label>, <!channel>, <https://…|label> or <at>Name</at>. For
// text that is no such form ("<3") it reports ok=false and does not move; a
// broken mention ("<@U1", "<#>", "<at>x") is an error.
func (p *parser) angle() (tok Token, ok bool, err error) {
	start := p.pos
	s := p.raw[start:]
	tok, n, form := readForm(s)
	if !form {
		return Token{}, false, nil
	}
	if n == 0 {
		return Token{}, false, brokenMention(s)
	}
	tok.Start, tok.End = start, start+n
	p.pos = tok.End
	return tok, true, nil
}

// readForm reads the form s starts with and its length in bytes. form is
// false when s starts with no form at all ("<3"); n is 0 for a broken
// mention ("<@U1", "<at>x").
func readForm(s string) (tok Token, n int, form bool) {
	switch {
	case hasPrefixFold(s, "<at>"):
		tok, n = teamsMention(s)
		return tok, n, true
	case len(s) > 1 && (s[1] == '@' || s[1] == '#' || s[1] == '!'):
		tok, n = slackMention(s)
		return tok, n, true
	}
	tok, n = linkForm(s)
	return tok, n, n > 0
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

// slackMention parses <@U1|label>, <#C1|label> or a <!…> form at the start
// of s and returns it with its length, or length 0 if it is broken.
func slackMention(s string) (Token, int) {
	gt := formEnd(s)
	if gt < 0 {
		return Token{}, 0
	}
	body, label, _ := strings.Cut(s[2:gt], "|")
	var tok Token
	switch s[1] {
	case '@':
		tok = Token{Kind: TokenUser, ID: body, Text: label}
	case '#':
		tok = Token{Kind: TokenChannel, ID: body, Text: label}
	default:
		tok = specialMention(body, label)
	}
	if tok.Kind != TokenWord && !validID(tok.ID) {
		return Token{}, 0
	}
	if tok.Kind == TokenWord && tok.Text == "" {
		return Token{}, 0
	}
	return tok, gt + 1
}

// specialMention turns the body of a <!…> form into a group mention
// (subteam^S1) or a plain word that can never notify anyone: "@channel",
// "@here", "@everyone", else the label or "@name". A broken form gives a
// word with no text.
func specialMention(body, label string) Token {
	name, arg, _ := strings.Cut(body, "^")
	switch {
	case strings.EqualFold(name, "subteam"):
		return Token{Kind: TokenGroup, ID: arg, Text: label}
	case strings.EqualFold(name, "channel"):
		return Token{Text: "@channel"}
	case strings.EqualFold(name, "here"):
		return Token{Text: "@here"}
	case strings.EqualFold(name, "everyone"):
		return Token{Text: "@everyone"}
	case name == "":
		return Token{}
	case label != "":
		return Token{Text: label}
	}
	return Token{Text: "@" + name}
}

// validID reports whether id looks like a Slack or Teams id: 1–128 of
// A–Z, a–z, 0–9 and ":._@-" (Teams ids look like 29:1AbC… or 19:x@thread.v2).
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

// teamsMention parses <at>Name</at> at the start of s (the tags in any
// case) and returns a user mention without id, with its length; length 0 if
// it is broken (unclosed, nested, empty or spanning lines).
func teamsMention(s string) (Token, int) {
	lt := strings.IndexByte(s[len("<at>"):], '<')
	if lt < 0 {
		return Token{}, 0
	}
	lt += len("<at>")
	name := strings.TrimSpace(s[len("<at>"):lt])
	if !hasPrefixFold(s[lt:], "</at>") || name == "" || strings.ContainsAny(name, ">\n") {
		return Token{}, 0
	}
	return Token{Kind: TokenUser, Text: name}, lt + len("</at>")
}

// linkForm parses Slack's link form <scheme:target|label> at the start of s
// into a word holding the target (an e-mail address without "mailto:"),
// with its length; length 0 if s does not start with one.
func linkForm(s string) (Token, int) {
	gt := formEnd(s)
	if gt < 0 {
		return Token{}, 0
	}
	target, _, _ := strings.Cut(s[1:gt], "|")
	colon := strings.IndexByte(target, ':')
	if colon < 1 || colon == len(target)-1 || !isScheme(target[:colon]) ||
		strings.IndexFunc(target, unicode.IsSpace) >= 0 {
		return Token{}, 0
	}
	if hasPrefixFold(target, "mailto:") {
		target = target[len("mailto:"):]
	}
	return Token{Kind: TokenWord, Text: target}, gt + 1
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

// brokenMention is the error for a mention form that does not parse; it
// quotes the form up to its '>' (or the end of the word or line).
func brokenMention(s string) error {
	end := strings.IndexFunc(s, unicode.IsSpace)
	if hasPrefixFold(s, "<at>") {
		end = strings.IndexByte(s, '\n')
	} else if gt := formEnd(s); gt > 0 {
		end = gt + 1
	}
	if end < 0 {
		end = len(s)
	}
	return Userf("`%s` is not a complete mention; pick the person, channel or group from the list that appears as you type @ or #, or write `here` for this channel", excerpt(s[:end]))
}

// plainForms rewrites the Slack and Teams forms in free text (a reason, a
// note) as the plain text a reader would expect: <@U1|maria> → "@maria",
// <!here> → "@here", <#C1|ops> → "#ops", <!subteam^S1|it> → "@it",
// <at>Raj</at> → "@Raj", <https://x|label> → "https://x". The result holds
// no mention syntax, so it can never notify anyone wherever it is shown.
// Anything else, broken forms included, is left as typed.
func plainForms(s string) string {
	if !strings.ContainsRune(s, '<') {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		tok, n, _ := readForm(s)
		if n == 0 {
			b.WriteByte('<')
			s = s[1:]
			continue
		}
		label := tok.Text
		if label == "" {
			label = tok.ID
		}
		switch tok.Kind {
		case TokenUser, TokenGroup:
			b.WriteString("@" + strings.TrimPrefix(label, "@"))
		case TokenChannel:
			b.WriteString("#" + strings.TrimPrefix(label, "#"))
		default:
			b.WriteString(label)
		}
		s = s[n:]
	}
}
