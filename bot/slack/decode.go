package slack

import "strings"

// decodeText undoes Slack's escaping of a slash command's text (&amp;,
// &lt;, &gt;), so "a & b" typed by a user reaches the core as typed and is
// not escaped twice when shown. A typed "<" that could open a mention, a
// channel or a special sequence (<@, <#, <!) becomes a full-width "＜": only
// the sequences Slack itself produced for real mentions stay mentions.
func decodeText(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return textDecoder.Replace(s)
}

var textDecoder = strings.NewReplacer(
	"&lt;@", "＜@", "&lt;#", "＜#", "&lt;!", "＜!",
	"&lt;", "<", "&gt;", ">", "&amp;", "&",
)
