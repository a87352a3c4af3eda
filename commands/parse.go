package commands

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TokenKind says what a token is.
type TokenKind int

const (
	// TokenWord is a plain word or a quoted value (quotes removed).
	TokenWord TokenKind = iota
	// TokenUser is a user mention (UserMention in the request's text); its
	// ID may be "" where the platform gave none.
	TokenUser
	// TokenChannel is a channel mention (ChannelMention).
	TokenChannel
	// TokenGroup is a user group mention (GroupMention).
	TokenGroup
	// TokenHere is the bare word "here" (any case): the current channel.
	TokenHere
)

var tokenKindNames = [...]string{"word", "user", "channel", "group", "here"}

// String returns the kind's lower-case name ("word", "user", …).
func (k TokenKind) String() string {
	if k >= 0 && int(k) < len(tokenKindNames) {
		return tokenKindNames[k]
	}
	return "TokenKind(" + strconv.Itoa(int(k)) + ")"
}

// Token is one positional word or option value of a command.
type Token struct {
	Kind TokenKind
	// Text is the value: the word (quotes removed), or the mention's label,
	// which may be "".
	Text string
	// ID is the user, channel or group id of a mention; "" for words and for
	// mentions the platform sent without an id.
	ID string
	// Start and End are the byte offsets of the raw token in Args.Raw; for
	// an option they span the whole key=value.
	Start, End int
}

// Args is a parsed command line.
type Args struct {
	// Raw is the cleaned text the offsets refer to.
	Raw string
	// Words are the positional tokens, in order.
	Words []Token
	// Options are the key=value options, keyed by lower-cased key.
	Options map[string]Token
	// Order lists the option keys in the order given.
	Order []string
}

// MaxTextLen is the longest command text, in characters (runes), that Parse
// accepts.
const MaxTextLen = 3000

// Parse splits a command's text into positional words and key=value
// options. Words are separated by any white space. "…", “…”, ‘…’ and '…'
// quote a value with spaces: a quote opens only at the start of a word and
// closes before white space or the end. An option key is a letter followed
// by letters, digits, '_' or '-' (matched case-insensitively); its value is
// a word, a quoted value or a mention. Mentions arrive in the core's
// markup (UserMention, ChannelMention, GroupMention: the adapters translate
// their platform's syntax) and, like the word here, are tokens of their own
// kinds; words and quoted values never hold markup.
//
// Parse first removes control characters other than \n and \t, invisible
// format characters and invalid UTF-8, then trims; text still longer than
// MaxTextLen characters is refused. Every error is a *UserError that says
// what is wrong and how to fix it, with zero Args; Parse never panics.
func Parse(text string) (Args, error) { return ParseHead(text, 0) }

// ParseHead is Parse for commands that end in free text (a reason, a note):
// it reads the first n positional words as Parse does and takes everything
// after them, as typed, as one last word, so quotes, '=' or brackets in the
// free text are never mistaken for syntax. n <= 0 parses the whole text.
func ParseHead(text string, n int) (Args, error) {
	// Far too long text is refused before cleaning, which costs more.
	if len(text) > 2*MaxTextLen {
		if n := utf8.RuneCountInString(text); n > 2*MaxTextLen {
			return Args{}, errTooLong(n)
		}
	}
	raw := strings.TrimSpace(cleanText(text))
	if n := utf8.RuneCountInString(raw); n > MaxTextLen {
		return Args{}, errTooLong(n)
	}
	p := parser{raw: raw, head: n}
	if err := p.run(); err != nil {
		return Args{}, err
	}
	return p.args, nil
}

func errTooLong(n int) error {
	return Userf("the text is too long (%d characters; the limit is %d): shorten it and try again", n, MaxTextLen)
}

// Word returns positional word i, if there is one.
func (a Args) Word(i int) (Token, bool) {
	if i < 0 || i >= len(a.Words) {
		return Token{}, false
	}
	return a.Words[i], true
}

// Option returns the option with the given key (matched case-insensitively).
func (a Args) Option(key string) (Token, bool) {
	t, ok := a.Options[strings.ToLower(key)]
	return t, ok
}

// Rest returns the text from positional word i to the end, trimmed, with
// quotes as typed and any key=value words after it included, and mentions
// as plain text ("@maria", "#ops"; see plainMentions); ""
// if there is no word i. Handlers use it for free text: reasons and notes.
func (a Args) Rest(i int) string {
	if i < 0 || i >= len(a.Words) {
		return ""
	}
	return plainMentions(strings.TrimSpace(a.Raw[a.Words[i].Start:]))
}

// SplitCommand splits a whole line such as "/tag INC1 pos", "tag INC1 pos"
// or "  /Outcome   add x" into the lower-cased command name without its
// slash and the rest of the line, trimmed.
func SplitCommand(s string) (name, rest string) {
	s = strings.TrimSpace(cleanText(s))
	s = strings.TrimLeftFunc(strings.TrimLeft(s, "/"), unicode.IsSpace)
	end := strings.IndexFunc(s, unicode.IsSpace)
	if end < 0 {
		return strings.ToLower(s), ""
	}
	return strings.ToLower(s[:end]), strings.TrimSpace(s[end:])
}

// parser is the state of one Parse call over cleaned, trimmed text.
type parser struct {
	raw  string
	pos  int
	head int // words to read before the rest is free text; 0: no free text
	args Args
}

// run reads tokens until the end of the text. A token that starts right
// where another ended, with no space between (@maria's), is "attached": it
// cannot open a quote or an option, so ordinary punctuation never does.
func (p *parser) run() error {
	p.args.Raw = p.raw
	attached := false
	for {
		if p.skipSpace() {
			attached = false
		}
		if p.pos >= len(p.raw) {
			return nil
		}
		var err error
		if key, ok := p.optionKey(); ok && !attached {
			err = p.option(key)
		} else {
			var tok Token
			if tok, err = p.value(!attached); err == nil {
				if p.args.Words == nil {
					p.args.Words = make([]Token, 0, 8)
				}
				p.args.Words = append(p.args.Words, tok)
			}
		}
		if err != nil {
			return err
		}
		if p.head > 0 && len(p.args.Words) == p.head {
			p.freeText()
			return nil
		}
		attached = true
	}
}

// freeText takes the rest of the text, as typed, as one last word.
func (p *parser) freeText() {
	p.skipSpace()
	if p.pos < len(p.raw) {
		p.args.Words = append(p.args.Words, Token{Kind: TokenWord, Text: plainMentions(p.raw[p.pos:]), Start: p.pos, End: len(p.raw)})
	}
	p.pos = len(p.raw)
}

// skipSpace moves past white space and reports whether there was any.
func (p *parser) skipSpace() bool {
	start := p.pos
	for p.pos < len(p.raw) {
		r, size := utf8.DecodeRuneInString(p.raw[p.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		p.pos += size
	}
	return p.pos > start
}

// optionKey returns the key if the text at p.pos is key=…, without moving.
func (p *parser) optionKey() (string, bool) {
	s := p.raw[p.pos:]
	if !isASCIILetter(s[0]) {
		return "", false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			return s[:i], true
		case isASCIILetter(c), c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return "", false
		}
	}
	return "", false
}

// option reads key=value at p.pos and records it.
func (p *parser) option(key string) error {
	start := p.pos
	p.pos += len(key) + 1
	if p.pos >= len(p.raw) || spaceAt(p.raw, p.pos) {
		k := excerpt(key)
		return Userf("option `%s=` has no value; write %s=value, or %s=\"several words\"", k, k, k)
	}
	tok, err := p.value(true)
	if err != nil {
		return err
	}
	tok.Start = start
	key = strings.ToLower(key)
	if _, dup := p.args.Options[key]; dup {
		return Userf("option `%s` is given twice; give it once", excerpt(key))
	}
	if p.args.Options == nil {
		p.args.Options = make(map[string]Token, 4)
		p.args.Order = make([]string, 0, 8)
	}
	p.args.Options[key] = tok
	p.args.Order = append(p.args.Order, key)
	return nil
}

// value reads one value at p.pos: a mention, a quoted string (when quotes
// may open here) or a bare word, which ends before a mention.
func (p *parser) value(quotes bool) (Token, error) {
	start := p.pos
	if strings.HasPrefix(p.raw[start:], string(markOpen)) {
		tok, n, err := mentionAt(p.raw[start:])
		if err != nil {
			return Token{}, err
		}
		tok.Start, tok.End = start, start+n
		p.pos = tok.End
		return tok, nil
	}
	if quotes {
		if closers, n := openQuote(p.raw[start:]); n > 0 {
			return p.quoted(start, n, closers)
		}
	}
	end := wordEnd(p.raw, start)
	p.pos = end
	tok := Token{Kind: TokenWord, Text: StripMarkers(p.raw[start:end]), Start: start, End: end}
	if strings.EqualFold(tok.Text, "here") {
		tok.Kind = TokenHere
	}
	return tok, nil
}

// Quote characters: a double quote opens with ", “, ” or „ and closes with
// ", “ or ”; a single quote opens with ' or ‘ and closes with ', ’ or ‘. ’ is
// not an opener: it is the typographic apostrophe (’til, ’90s).
const (
	doubleClosers = "\"“”"
	singleClosers = "'’‘"
)

// openQuote returns the closers for the quote s starts with and the
// opener's length in bytes, or 0 if s does not start with a quote.
func openQuote(s string) (closers string, n int) {
	r, size := utf8.DecodeRuneInString(s)
	switch r {
	case '"', '“', '”', '„':
		return doubleClosers, size
	case '\'', '‘':
		return singleClosers, size
	}
	return "", 0
}

// quoted reads a quoted value whose opener is open bytes long at start. It
// ends at the first closer followed by white space or the end of the text,
// so apostrophes inside ('it's done') are kept.
func (p *parser) quoted(start, open int, closers string) (Token, error) {
	body := start + open
	for i := body; i < len(p.raw); {
		if c := p.raw[i]; c < utf8.RuneSelf && c != '"' && c != '\'' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(p.raw[i:])
		if isCloser(closers, r) && (i+size == len(p.raw) || spaceAt(p.raw, i+size)) {
			p.pos = i + size
			return Token{Kind: TokenWord, Text: plainMentions(p.raw[body:i]), Start: start, End: p.pos}, nil
		}
		i += size
	}
	// The excerpt shows mentions as the user saw them (@raj), not as markup.
	shown := excerpt(plainMentions(p.raw[start:]))
	if closers == singleClosers {
		return Token{}, Userf("unterminated quote in `%s`; close it with ' followed by a space (for an apostrophe at the start of a word, type ’)", shown)
	}
	return Token{}, Userf("unterminated quote in `%s`; close it with \" followed by a space", shown)
}

// isCloser reports whether r is one of closers, quickly for the runes that
// are no quote at all.
func isCloser(closers string, r rune) bool {
	if r != '"' && r != '\'' && (r < '‘' || r > '”') {
		return false
	}
	return strings.ContainsRune(closers, r)
}

// wordEnd returns the offset of the first white space or mention in s at or
// after i (never i itself), or len(s).
func wordEnd(s string, i int) int {
	for start := i; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '\n' || c == '\t' {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) || (r == markOpen && i > start) {
			return i
		}
		i += size
	}
	return i
}

// spaceAt reports whether a white-space rune starts at s[i].
func spaceAt(s string, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
