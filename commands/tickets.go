package commands

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Limits on ticket references.
const (
	maxRefLen    = 64   // a number, key or other short token
	maxRefURLLen = 2000 // a ticket's URL
)

var (
	// shortRef is every reference that is not a URL. ServiceNow numbers
	// (INC0012345, RITM…, REQ…, CHG…, PRB…, SCTASK…, TASK…) and Jira keys
	// (OPS-123) are among them; all are compared upper-cased.
	shortRef = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._#/-]{0,63}$`)
	// snowNumberInURL finds a ServiceNow number in a URL's query, plain or
	// (doubly) percent-encoded: number=INC…, number%3DINC…, number%253DINC….
	snowNumberInURL = regexp.MustCompile(`(?i)number(?:=|%3D|%253D)((?:INC|RITM|REQ|CHG|PRB|SCTASK|TASK)[0-9]+)(?:$|[^A-Za-z0-9])`)
	// jiraKeyInURL finds a Jira key in /browse/KEY-1 or ?selectedIssue=KEY-1.
	jiraKeyInURL = regexp.MustCompile(`(?:/browse/|[?&]selectedIssue=)([A-Za-z][A-Za-z0-9]+-[0-9]+)(?:$|[^A-Za-z0-9-])`)
)

// Ticket shapes a chat command recognises as a ticket (see Core.Ticket).
var (
	// snowNumber is a ServiceNow record number: a table prefix and digits.
	snowNumber = regexp.MustCompile(`(?i)^(INC|RITM|REQ|CHG|PRB|PRBTASK|SCTASK|TASK|CTASK|PTASK|STASK|KB)[0-9]+$`)
	// jiraKey is a Jira issue key: a project key, a dash, a number.
	jiraKey = regexp.MustCompile(`(?i)^[A-Z][A-Z0-9_]{0,29}-[0-9]+$`)
)

// trailingPunct is sentence punctuation typed right after a ticket
// ("INC0012345." or "(OPS-12)"), which is no part of it.
const trailingPunct = ".,;:!?)]}'\"”’"

// Ticket reports whether s is a ticket reference and returns it normalised:
// a ServiceNow number (INC0012345, RITM…, CHG…), a Jira key (OPS-12), a
// reference a ticket link pattern (OUTCOMEBOT_TICKET_LINKS) matches, or a
// ServiceNow or Jira URL that names its number. Trailing punctuation is
// dropped first. Anything else (a word like TILLS, E-1, a URL that names
// no number) is not a ticket: ok is false and err, when not nil, says why
// in words for the user (a URL with a password, say).
func (c *Core) Ticket(s string) (ref string, ok bool, err error) {
	s = strings.TrimSpace(s)
	if !IsHTTPURL(s) {
		s = strings.TrimRight(s, trailingPunct)
		s = strings.TrimLeft(s, "([{'\"“‘")
	}
	if s == "" {
		_, err := NormalizeRef(s) // says the reference is missing
		return "", false, err
	}
	if IsHTTPURL(s) {
		ref, err := normalizeURLRef(s)
		if err != nil {
			return "", false, err
		}
		return ref, !IsHTTPURL(ref), nil // a URL that names no number is no ticket
	}
	if len(s) > maxRefLen || !shortRef.MatchString(s) {
		return "", false, nil
	}
	up := strings.ToUpper(s)
	if strings.HasPrefix(up, "E-") { // an escalation, not a ticket
		return "", false, nil
	}
	if snowNumber.MatchString(up) || jiraKey.MatchString(up) || c.cfg.TicketLinks.Match(up) {
		return up, true, nil
	}
	return "", false, nil
}

// TicketWord reads a token that must be a ticket (see Ticket), refusing
// anything else (a word, a mention) with what to type instead.
func (c *Core) TicketWord(t Token) (string, error) {
	if t.Kind != TokenWord {
		return TicketArg(t)
	}
	ref, ok, err := c.Ticket(t.Text)
	switch {
	case err != nil:
		return "", err
	case !ok && IsHTTPURL(ref):
		return "", Userf("That link names no ticket number (a ServiceNow %s link, say): give the ticket's number, e.g. %s or %s, or a link that names it.",
			Code("sys_id"), Code("INC0012345"), Code("OPS-12"))
	case !ok:
		return "", errNotTicket(t.Text)
	}
	return ref, nil
}

// errNotTicket is the refusal of a word where a ticket is needed.
func errNotTicket(s string) error {
	return Userf("%s doesn't look like a ticket: expected e.g. %s or %s (a ServiceNow number or a Jira key, or the ticket's link).",
		Code(Clip(s, 40)), Code("INC0012345"), Code("OPS-12"))
}

// errNotRef is the error for text that is no ticket reference.
func errNotRef(s string) error {
	return Userf("`%s` is not a ticket reference: use a ServiceNow number (INC0012345), a Jira key (OPS-123) or the ticket's URL", excerpt(s))
}

// NormalizeRef returns the canonical form of a ticket reference, so the same
// ticket typed two ways is one record: ServiceNow numbers, Jira keys and
// other short tokens (up to 64 of A–Z, 0–9 and "._#/-") are upper-cased
// ("inc0012345" → "INC0012345", "ops-123" → "OPS-123"); a ServiceNow or Jira
// URL becomes the number or key it names; any other http(s) URL is kept,
// with its scheme and host lower-cased and trailing punctuation trimmed.
// Anything else is a *UserError that says what to type.
func NormalizeRef(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Userf("a ticket reference is missing: use a ServiceNow number (INC0012345), a Jira key (OPS-123) or the ticket's URL")
	}
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		// Slack's <https://…|label> form, if the parser has not unwrapped it.
		if target, _, _ := strings.Cut(s[1:len(s)-1], "|"); IsHTTPURL(target) {
			s = target
		}
	}
	if IsHTTPURL(s) {
		return normalizeURLRef(s)
	}
	if len(s) > maxRefLen && strings.IndexFunc(s, unicode.IsSpace) < 0 {
		return "", Userf("`%s` is too long for a ticket reference (%d characters; the limit is %d): use its ServiceNow number, Jira key or URL", excerpt(s), len(s), maxRefLen)
	}
	if !shortRef.MatchString(s) {
		return "", errNotRef(s)
	}
	return strings.ToUpper(s), nil
}

// normalizeURLRef normalises a reference that is an http(s) URL.
func normalizeURLRef(s string) (string, error) {
	if len(s) > maxRefURLLen {
		return "", Userf("that ticket URL is too long (%d characters; the limit is %d): use the ticket's number or key instead", len(s), maxRefURLLen)
	}
	if strings.ContainsAny(s, "<>\"'`\\") || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "", errNotRef(s)
	}
	s = trimURLPunct(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", errNotRef(s)
	}
	if u.User != nil {
		return "", Userf("the ticket URL holds a user name or password; remove the part before @ in `%s`", excerpt(u.Host))
	}
	if m := snowNumberInURL.FindStringSubmatch(s); m != nil {
		return strings.ToUpper(m[1]), nil
	}
	if m := jiraKeyInURL.FindStringSubmatch(s); m != nil {
		return strings.ToUpper(m[1]), nil
	}
	// Lower-case the scheme and the host, keep the rest as typed.
	authority := strings.Index(s, "://") + len("://")
	end := len(s)
	if i := strings.IndexAny(s[authority:], "/?#"); i >= 0 {
		end = authority + i
	}
	return strings.ToLower(s[:end]) + s[end:], nil
}

// trimURLPunct drops sentence punctuation typed after a URL; a closing
// parenthesis only when the URL has no opening one.
func trimURLPunct(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		if !strings.ContainsRune(".,;:!?", rune(c)) && (c != ')' || strings.Contains(s, "(")) {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

// IsHTTPURL reports whether s starts with http:// or https:// (any case).
func IsHTTPURL(s string) bool {
	return hasPrefixFold(s, "https://") || hasPrefixFold(s, "http://")
}

// TicketLink turns references that match Pattern into a URL. Template holds
// {ref} for the whole reference and {1}, {2}… for Pattern's submatches
// ({0} is the whole match); each is URL-escaped.
type TicketLink struct {
	Pattern  *regexp.Regexp
	Template string
}

// TicketLinks are tried in order; the first whose Pattern matches wins.
type TicketLinks []TicketLink

// ParseTicketLinks reads the OUTCOMEBOT_TICKET_LINKS setting: entries
// separated by ";" or newlines, each REGEX=URLTEMPLATE, e.g.
//
//	^(INC|RITM|REQ|CHG|PRB|SCTASK)\d+$=https://acme.service-now.com/nav_to.do?uri=task.do?sysparm_query=number={ref};^[A-Z][A-Z0-9]+-\d+$=https://acme.atlassian.net/browse/{ref}
//
// Each entry is split at its first "=https://" or "=http://", so a regex may
// itself contain "=". Blank entries are skipped; an error names the bad entry.
func ParseTicketLinks(spec string) (TicketLinks, error) {
	var links TicketLinks
	n := 0
	for entry := range strings.FieldsFuncSeq(spec, func(r rune) bool { return r == ';' || r == '\n' }) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		n++
		link, err := parseTicketLink(entry)
		if err != nil {
			return nil, fmt.Errorf("ticket links entry %d %q: %w", n, entry, err)
		}
		links = append(links, link)
	}
	return links, nil
}

// parseTicketLink parses one REGEX=URLTEMPLATE entry.
func parseTicketLink(entry string) (TicketLink, error) {
	cut := templateStart(entry)
	if cut < 0 {
		return TicketLink{}, fmt.Errorf("want REGEX=https://…{ref}…")
	}
	pattern, template := strings.TrimSpace(entry[:cut]), strings.TrimSpace(entry[cut+1:])
	if pattern == "" {
		return TicketLink{}, fmt.Errorf("empty regex before %q", template)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return TicketLink{}, fmt.Errorf("regex: %w", err)
	}
	if err := checkTemplate(template, re.NumSubexp()); err != nil {
		return TicketLink{}, err
	}
	return TicketLink{Pattern: re, Template: template}, nil
}

// templateStart returns the index of the "=" that starts the URL template:
// the first one followed by http:// or https://, or -1.
func templateStart(entry string) int {
	for i := 0; i < len(entry); i++ {
		if entry[i] == '=' && IsHTTPURL(entry[i+1:]) {
			return i
		}
	}
	return -1
}

// checkTemplate checks that a template names the reference and only
// submatches the regex has, and that it expands to a URL with a host.
func checkTemplate(template string, numSubexp int) error {
	if strings.IndexFunc(template, unicode.IsSpace) >= 0 {
		return fmt.Errorf("URL template %q has a space", template)
	}
	placeholders := 0
	for _, name := range placeholderNames(template) {
		n, err := strconv.Atoi(name)
		if name != "ref" && (err != nil || n < 0 || n > numSubexp) {
			return fmt.Errorf("URL template %q: {%s} is neither {ref} nor a submatch of the regex (it has %d)", template, name, numSubexp)
		}
		placeholders++
	}
	if placeholders == 0 {
		return fmt.Errorf("URL template %q has no {ref}", template)
	}
	sample := expandTemplate(template, func(string) string { return "X" })
	if u, err := url.Parse(sample); err != nil || u.Host == "" {
		return fmt.Errorf("URL template %q does not make a URL", template)
	}
	return nil
}

// placeholderNames returns the names inside {…} in a template, in order.
func placeholderNames(template string) []string {
	var names []string
	expandTemplate(template, func(name string) string {
		names = append(names, name)
		return ""
	})
	return names
}

// expandTemplate replaces each {name} in template with value(name); a "{"
// without a closing "}" is kept as typed.
func expandTemplate(template string, value func(name string) string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(template, '{')
		closing := strings.IndexByte(template[open+1:], '}')
		if open < 0 || closing < 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:open])
		b.WriteString(value(template[open+1 : open+1+closing]))
		template = template[open+1+closing+1:]
	}
}

// Match reports whether one of the patterns matches the normalised
// reference ref.
func (l TicketLinks) Match(ref string) bool {
	for _, link := range l {
		if link.Pattern.MatchString(ref) {
			return true
		}
	}
	return false
}

// URL returns the link for a normalised reference: the reference itself if
// it is an http(s) URL, else the first matching template expanded, else "".
func (l TicketLinks) URL(ref string) string {
	if IsHTTPURL(ref) {
		return ref
	}
	for _, link := range l {
		m := link.Pattern.FindStringSubmatchIndex(ref)
		if m == nil {
			continue
		}
		return expandTemplate(link.Template, func(name string) string {
			if name == "ref" {
				return escapeURLPart(ref)
			}
			n, err := strconv.Atoi(name)
			if err != nil || n < 0 || 2*n+1 >= len(m) || m[2*n] < 0 {
				return ""
			}
			return escapeURLPart(ref[m[2*n]:m[2*n+1]])
		})
	}
	return ""
}

// escapeURLPart escapes s for any part of a URL, path or query: everything
// but letters, digits and "-_.~" is percent-encoded (spaces as %20).
func escapeURLPart(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
