package commandstest

import (
	"regexp"

	"github.com/outcomebot/outcomebot/commands"
)

// mentionForm is the mention shorthand tests type: <@U1|maria>, <@U1>,
// <#C1|ops>, <#C1>, <!subteam^S1|it> (Slack's forms, the most familiar),
// and <at>Name</at> for a mention without id (as Teams may send).
var mentionForm = regexp.MustCompile(`<([@#]|!subteam\^)([A-Za-z0-9._:@-]+)(?:\|([^<>|\n]*))?>|<at>([^<>\n]+)</at>`)

// Inbound is a fake adapter's inbound translation for tests: it turns the
// mention shorthand in line into the core's markup, as a real adapter turns
// its platform's mentions, after removing any markup runes typed in line.
// Everything else, incomplete forms included, stays as typed.
func Inbound(line string) string {
	return mentionForm.ReplaceAllStringFunc(commands.StripMarkers(line), func(m string) string {
		g := mentionForm.FindStringSubmatch(m)
		switch g[1] {
		case "":
			return commands.UserMention("", g[4])
		case "@":
			return commands.UserMention(g[2], g[3])
		case "#":
			return commands.ChannelMention(g[2], g[3])
		}
		return commands.GroupMention(g[2], g[3])
	})
}
