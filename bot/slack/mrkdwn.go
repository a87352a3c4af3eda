package slack

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack/slackutilsx"

	"github.com/outcomebot/outcomebot/commands"
)

// Text safety: every piece of text that is not core markup is escaped
// (& < > become entities, by slack-go's slackutilsx.EscapeMessage), so
// nothing a user typed can form a <!channel>, <!here>, <@U…> or link
// sequence. Only the markup spans the core inserted (SpanUser, SpanChannel,
// SpanLink, SpanTime) produce <…> sequences, and only after their targets
// are checked.

// escape replaces &, < and > with their entities.
func escape(s string) string {
	s = commands.Printable(s)
	if !strings.ContainsAny(s, "&<>") {
		return s // the common case allocates nothing
	}
	return slackutilsx.EscapeMessage(s)
}

// slackLen counts s in UTF-16 code units, which is never less than the
// characters Slack counts against its limits.
func slackLen(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// isSlackID reports whether s looks like a Slack user or channel id
// (upper-case letters and digits), so it is safe inside <@…> or <#…>.
func isSlackID(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// safeURL returns raw fit for <u|label>, or "" if commands.SafeURL refuses
// it. Characters that would end the sequence are percent-encoded.
func safeURL(raw string) string {
	u, ok := commands.SafeURL(raw)
	if !ok {
		return ""
	}
	if strings.ContainsAny(u, "<>| \n\r\t") {
		u = strings.NewReplacer("<", "%3C", ">", "%3E", "|", "%7C", " ", "%20", "\n", "", "\r", "", "\t", "").Replace(u)
	}
	return slackutilsx.EscapeMessage(u) // only & is left to escape
}

// renderSpan renders one span as mrkdwn.
func renderSpan(sp commands.Span) string {
	switch sp.Kind {
	case commands.SpanUser:
		if isSlackID(sp.Target) {
			return "<@" + sp.Target + ">"
		}
		return escape("@" + sp.Target)
	case commands.SpanName:
		// A name, never <@…>: plain escaped text that notifies nobody.
		return escape(commands.Clip(sp.NameText(), commands.MaxNameRunes))
	case commands.SpanChannel:
		if isSlackID(sp.Target) {
			return "<#" + sp.Target + ">"
		}
		return escape("#" + sp.Target)
	case commands.SpanLink:
		u := safeURL(sp.Target)
		switch {
		case u == "":
			return escape(commands.PlainText(commands.Link(sp.Target, sp.Text)))
		case sp.Text == "" || sp.Text == sp.Target:
			return "<" + u + ">"
		default:
			return "<" + u + "|" + escape(sp.Text) + ">"
		}
	case commands.SpanBold:
		if strings.TrimSpace(sp.Text) == "" {
			return escape(sp.Text)
		}
		return "*" + escape(sp.Text) + "*"
	case commands.SpanCode:
		if sp.Text == "" {
			return ""
		}
		return "`" + escape(strings.ReplaceAll(sp.Text, "`", "'")) + "`"
	case commands.SpanTime:
		return dateToken(sp)
	default:
		return escape(sp.Text)
	}
}

// dateToken renders a time span as Slack's date token,
// <!date^UNIX^FORMAT|fallback>: Slack shows the instant in each reader's
// own zone, and the fallback (the core's text, in the bot's zone with its
// abbreviation) where it cannot. A span the core did not write is plain
// text.
func dateToken(sp commands.Span) string {
	t, style, ok := sp.Time()
	if !ok {
		return escape(sp.Text)
	}
	format := "{date_short_pretty} {time}"
	if style == commands.TimeClock {
		format = "{time}"
	}
	fallback := escape(strings.NewReplacer("|", "/", "^", " ", "\n", " ").Replace(sp.Text))
	return "<!date^" + strconv.FormatInt(t.Unix(), 10) + "^" + format + "|" + fallback + ">"
}

// mrkdwn renders marked-up text as Slack mrkdwn.
func mrkdwn(s string) string {
	if !strings.ContainsRune(s, '\uE000') {
		return escape(s)
	}
	var b strings.Builder
	for _, sp := range commands.Spans(s) {
		b.WriteString(renderSpan(sp))
	}
	return b.String()
}

// truncatePlain cuts raw (unescaped) text so that its escaped form fits in
// max units, ending with "…" when cut, and returns the escaped result.
func truncatePlain(raw string, max int) string {
	s := escape(raw)
	if slackLen(s) <= max {
		return s
	}
	cut := cutRaw(raw, max-1)
	return escape(strings.TrimRight(raw[:cut], " \n")) + "…"
}

// cutRaw returns the largest byte index i at a rune boundary such that
// escape(raw[:i]) fits in max units.
func cutRaw(raw string, max int) int {
	n, i := 0, 0
	for i < len(raw) {
		r, size := utf8.DecodeRuneInString(raw[i:])
		w := 1
		switch {
		case r == '&':
			w = 5
		case r == '<' || r == '>':
			w = 4
		case r >= 0x10000:
			w = 2
		}
		if n+w > max {
			break
		}
		n += w
		i += size
	}
	return i
}

// chunkMrkdwn renders marked-up text as mrkdwn pieces of at most max units
// each, splitting plain text at line breaks (else spaces) where it can and
// never inside an entity or a <…> sequence.
func chunkMrkdwn(s string, max int) []string {
	c := chunker{max: max}
	for _, sp := range commands.Spans(s) {
		if sp.Kind == commands.SpanText {
			c.text(sp.Text)
			continue
		}
		r := renderSpan(sp)
		if slackLen(r) > max/2 && sp.Kind == commands.SpanTime {
			c.text(sp.Text)
			continue
		}
		if slackLen(r) > max/2 {
			c.text(commands.PlainText(commands.Link(sp.Target, sp.Text)))
			continue
		}
		c.atomic(r)
	}
	return c.done()
}

// chunker packs rendered pieces into chunks of at most max units.
type chunker struct {
	max int
	cur strings.Builder
	n   int // units in cur
	out []string
}

func (c *chunker) flush() {
	if s := strings.TrimRight(c.cur.String(), " \n"); strings.TrimSpace(s) != "" {
		c.out = append(c.out, s)
	}
	c.cur.Reset()
	c.n = 0
}

func (c *chunker) atomic(r string) {
	w := slackLen(r)
	if c.n+w > c.max {
		c.flush()
	}
	c.cur.WriteString(r)
	c.n += w
}

func (c *chunker) text(raw string) {
	for raw != "" {
		room := c.max - c.n
		esc := escape(raw)
		if w := slackLen(esc); w <= room {
			c.cur.WriteString(esc)
			c.n += w
			return
		}
		cut := cutRaw(raw, room)
		if i := strings.LastIndexByte(raw[:cut], '\n'); i > cut/2 {
			cut = i + 1
		} else if i := strings.LastIndexByte(raw[:cut], ' '); i > cut/2 {
			cut = i + 1
		}
		if cut == 0 && c.n == 0 {
			// Not even one rune fits an empty chunk: impossible for max ≥ 5.
			return
		}
		c.cur.WriteString(escape(raw[:cut]))
		c.flush()
		raw = strings.TrimLeft(raw[cut:], "\n")
	}
}

func (c *chunker) done() []string {
	c.flush()
	return c.out
}
