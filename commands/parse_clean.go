package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cleaning command text before it is parsed: markup runes, control and
// invisible characters, invalid UTF-8.

// cleanText removes what must never reach the grammar: markup runes,
// control characters other than \n and \t, invisible format characters
// (zero-width spaces, byte-order marks, bidi overrides) and invalid UTF-8,
// which becomes U+FFFD. Line-breaking controls (\r, \v, \f, NEL) become \n,
// and \r\n becomes \n. Text that needs no change is returned as is.
func cleanText(s string) string {
	if firstUnclean(s) < 0 {
		return s
	}
	s = StripMarkers(s)
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

// firstUnclean returns the offset of the first byte cleanText must change
// (markup runes included), or -1.
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
		if (r == utf8.RuneError && size == 1) || dropRune(r) || (r >= markOpen && r <= markClose) {
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
	case r == '\u200B' || r == '\u2060' || r == '\uFEFF':
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
