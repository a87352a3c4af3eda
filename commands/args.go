package commands

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var outcomeKeyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

// TicketArg reads a ticket reference from a plain word: a mention or
// `here` names a person or a channel, never a ticket.
func TicketArg(t Token) (string, error) {
	if t.Kind == TokenWord {
		return NormalizeRef(t.Text)
	}
	shown := t.Text
	switch t.Kind {
	case TokenUser, TokenGroup:
		shown = "@" + t.Text
	case TokenChannel:
		shown = "#" + t.Text
	}
	return "", Userf("`%s` is a %s, not a ticket reference: use a ServiceNow number (INC0012345), a Jira key (OPS-123) or the ticket's URL.",
		Clip(shown, 40), mentionKind(t.Kind))
}

// mentionKind names what a non-word token stands for.
func mentionKind(k TokenKind) string {
	switch k {
	case TokenUser:
		return "person"
	case TokenChannel:
		return "channel"
	case TokenGroup:
		return "user group"
	case TokenHere:
		return "word meaning this channel"
	}
	return "word"
}

// ChannelArg reads a channel from a channel mention or `here`.
func ChannelArg(req Request, t Token, what string) (string, error) {
	switch {
	case t.Kind == TokenChannel && t.ID != "":
		return t.ID, nil
	case t.Kind == TokenHere:
		return req.Channel, nil
	}
	return "", Userf("%s must be a channel: #mention it or write `here` for this channel (got `%s`).", UpperFirst(what), Clip(t.Text, 40))
}

// ParseEscalationID reads E-7, e7, #7 or 7.
func ParseEscalationID(s string) (int64, error) {
	t := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "#")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "E"), "-")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, Userf("`%s` is not an escalation id: use the number shown when it was raised, like `E-7`.", Clip(s, 20))
	}
	return n, nil
}

// EscID formats an escalation id.
func EscID(n int64) string { return "E-" + strconv.FormatInt(n, 10) }

// UpperFirst starts s with a capital letter, for a sentence that starts with
// a piece (a field's name, a clause) written to stand mid-sentence too.
func UpperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// Nearest returns the candidate closest to s by edit distance, if close
// enough. Dashes left out ("posconv" for "pos-conversion"), a candidate
// equal to s ranks first, then one that starts with s, then one that s
// starts with, then the others by edit distance.
func Nearest(s string, candidates []string) string {
	// Scores are twice the edit distance, so the prefix ranks fit between.
	best, bestD := "", 1<<30
	bare := strings.ReplaceAll(s, "-", "")
	for _, c := range candidates {
		d := 2 * editDistance(s, c)
		cb := strings.ReplaceAll(c, "-", "")
		switch {
		case cb == bare:
			d = 0
		case bare != "" && strings.HasPrefix(cb, bare):
			d = min(d, 1)
		case cb != "" && strings.HasPrefix(bare, cb):
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= 2*max(2, len(s)/3) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// NoteText returns the free text from positional word i (see Args.Rest), or
// "" when it holds nothing but white space and quote marks (three spaces in
// double quotes, two apostrophes, “ ”): a blank quoted value says nothing,
// so it is no reason and no note.
func NoteText(args Args, i int) string {
	s := args.Rest(i)
	blank := strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(doubleClosers+singleClosers+"„", r)
	})
	if blank == "" {
		return ""
	}
	return s
}

// OnlyOptions rejects options outside allowed.
func OnlyOptions(args Args, usage string, allowed ...string) error {
	for _, k := range args.Order {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			if len(allowed) == 0 {
				return Userf("`%s=` is not an option here. Usage: %s", k, Code(usage))
			}
			return Userf("Unknown option `%s=`: options are %s. Usage: %s", k, "`"+strings.Join(allowed, "=`, `")+"=`", Code(usage))
		}
	}
	return nil
}

// ValidOutcomeKey reports whether key is a well-formed outcome key: 2–32
// lower-case letters, digits and dashes, not starting with a dash.
func ValidOutcomeKey(key string) bool { return outcomeKeyRE.MatchString(key) }
