package commands

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

var outcomeKeyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

// reservedKeys are words the grammar gives a meaning where an outcome key
// may stand (`/tag X none`, `help`, `it-channel=here`, `/escalate list
// all|mine|open`), so no outcome may be called by them.
var reservedKeys = []string{"none", "help", "here", "all", "mine", "open"}

// checkOutcomeKey validates a new outcome key.
func checkOutcomeKey(key string) error {
	for _, r := range reservedKeys {
		if strings.EqualFold(key, r) {
			return Userf("`%s` cannot be an outcome key: the words %s mean something else in commands. Pick another key, e.g. `%s-work`.",
				Clip(key, 40), "`"+strings.Join(reservedKeys, "`, `")+"`", strings.ToLower(key))
		}
	}
	if ValidOutcomeKey(key) {
		return nil
	}
	return Userf("`%s` is not a valid outcome key: use 2–32 lower-case letters, digits and dashes, e.g. `pos-conversion`.", Clip(key, 40))
}

// userArg reads a user from a mention token.
func userArg(t Token, what string) (string, error) {
	if t.Kind == TokenUser && t.ID != "" {
		return t.ID, nil
	}
	if t.Kind == TokenUser {
		return "", Userf("I could not tell who `%s` is for %s: pick them from the @mention list so the name becomes a mention.", Clip(t.Text, 40), what)
	}
	return "", Userf("%s must be a person: @mention them (got `%s`).", upperFirst(what), Clip(t.Text, 40))
}

// ticketArg reads a ticket reference from a plain word: a mention or
// `here` names a person or a channel, never a ticket.
func ticketArg(t Token) (string, error) {
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
	return "", Userf("%s must be a channel: #mention it or write `here` for this channel (got `%s`).", upperFirst(what), Clip(t.Text, 40))
}

// parseSLA reads an SLA like 4h, 90m, 1d or 1d12h, between 1m and 30d.
func parseSLA(s string) (time.Duration, error) {
	bad := Userf("`%s` is not a duration: write it like `4h`, `90m` or `1d`.", Clip(s, 20))
	outOfRange := Userf("An SLA must be between 1m and 30d (got `%s`): write it like `4h`, `90m` or `1d`.", Clip(s, 20))
	var total time.Duration
	rest := strings.ToLower(strings.TrimSpace(s))
	if rest == "" {
		return 0, bad
	}
	if d, ok := strings.CutSuffix(rest, "d"); ok {
		rest = d + "d"
	}
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return 0, bad
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 10000 {
			// Digits only, but too many of them to be an SLA.
			if _, ok := slaUnit(rest[i:]); ok {
				return 0, outOfRange
			}
			return 0, bad
		}
		unit, ok := slaUnit(rest[i:])
		if !ok {
			return 0, bad
		}
		if unit < time.Minute {
			// Seconds are a duration, but below an SLA's resolution.
			return 0, outOfRange
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	if total < time.Minute || total > 30*24*time.Hour {
		return 0, outOfRange
	}
	return total, nil
}

// slaUnit reads the unit letter that starts rest: d, h, m or s (which
// parseSLA recognises only to say what range is allowed).
func slaUnit(rest string) (time.Duration, bool) {
	if rest == "" {
		return 0, false
	}
	switch rest[0] {
	case 'd':
		return 24 * time.Hour, true
	case 'h':
		return time.Hour, true
	case 'm':
		return time.Minute, true
	case 's':
		return time.Second, true
	}
	return 0, false
}

// parseEscalationID reads E-7, e7, #7 or 7.
func parseEscalationID(s string) (int64, error) {
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

// upperFirst starts s with a capital letter, for a sentence that starts with
// a piece (a field's name, a clause) written to stand mid-sentence too.
func upperFirst(s string) string {
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

// noteText returns the free text from positional word i (see Args.Rest), or
// "" when it holds nothing but white space and quote marks (three spaces in
// double quotes, two apostrophes, “ ”): a blank quoted value says nothing,
// so it is no reason and no note.
func noteText(args Args, i int) string {
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
