package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cleaning command text before it is parsed: control and invisible
// characters, invalid UTF-8. Markup runes stay: they are the mentions the
// adapter wrote (see UserMention), after it removed any the user typed.

// cleanText removes what must never reach the grammar: control characters other than \n and \t, invisible format characters
// (zero-width spaces, byte-order marks, bidi overrides) and invalid UTF-8,
// which becomes U+FFFD. Line-breaking controls (\r, \v, \f, NEL) become \n,
// and \r\n becomes \n. Text that needs no change is returned as is.
func cleanText(s string) string {
	return Printable(wellFormedMarkup(s))
}

// Printable removes from s what must never reach a chat raw: control
// characters other than \n and \t (NUL, BEL, ESC, DEL…), invisible format
// characters (zero-width spaces and joins, byte-order marks, bidi
// overrides) and invalid UTF-8 (which becomes U+FFFD); line-breaking
// controls become \n. Spans applies it to every span, so each renderer
// shows only printable text, whatever a user or the ITSM sent. Text that
// needs no change is returned as is.
func Printable(s string) string {
	i := firstUnclean(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// dropped: the \n follows
		case r == '\r' || r == '\v' || r == '\f' || r == '\u0085':
			b.WriteByte('\n')
		case !dropRune(r):
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnclean returns the offset of the first byte cleanText must change,
// or -1.
func firstUnclean(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < ' ' && c != '\n' && c != '\t') || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || dropRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// dropRune reports whether r is removed from input: a control character
// other than \n and \t, or an invisible format character that would make two
// equal-looking words differ.
func dropRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	case r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\u2060' || r == '\uFEFF':
		return true
	}
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// excerpt shortens user text for an error message: one line, at most 40
// runes, backticks replaced so the message's `code` span stays intact.
func excerpt(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "…"
	}
	if utf8.RuneCountInString(s) > 40 {
		n := 0
		for i := range s {
			if n == 39 {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return strings.ReplaceAll(s, "`", "'")
}

// wellFormedMarkup keeps the inbound markup spans of s that are whole (an
// opener, a mention kind, at most one separator, a closer, no opener
// inside) and removes every other markup rune, so the parser sees mentions
// as the adapter wrote them and no stray rune.
func wellFormedMarkup(s string) string {
	if !strings.ContainsAny(s, "\uE000\uE001\uE002") {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexAny(s, "\uE000\uE001\uE002")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		r, size := utf8.DecodeRuneInString(s)
		if r == markOpen {
			if n := spanLen(s); n > 0 {
				b.WriteString(s[:n])
				s = s[n:]
				continue
			}
		}
		s = s[size:] // a stray or broken marker
	}
	return b.String()
}

// spanLen returns the length of the whole markup span s starts with, or 0.
func spanLen(s string) int {
	body := s[len(string(markOpen)):]
	end := strings.IndexRune(body, markClose)
	if end < 1 {
		return 0
	}
	inner := body[:end]
	switch SpanKind(inner[0]) {
	case SpanUser, SpanChannel, SpanGroup, SpanBroken:
	default:
		return 0
	}
	if strings.ContainsRune(inner, markOpen) || strings.Count(inner, string(markSep)) > 1 {
		return 0
	}
	return len(string(markOpen)) + end + len(string(markClose))
}
