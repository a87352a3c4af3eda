package teams

import (
	"regexp"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
)

// The digest says of each weekly change whether it is better or worse, in
// words: "Median time to acknowledge: 3h 40m (▲2h 50m, worse)". In a Teams
// card such a line also gets its own TextBlock coloured good (green) or
// attention (red), so the verdict cannot be misread at a glance; the words
// stay for readers who do not see colour.

// verdictLine matches a line ending in a change with its verdict.
var verdictLine = regexp.MustCompile(`\([▲▼][^()]*, (better|worse)\)\s*$`)

// verdictBlocks renders text as TextBlocks: runs of ordinary lines as one
// block each, every line ending in a verdict as its own coloured block. ok
// is false when no line has a verdict (render the text as one block).
func verdictBlocks(text string, dir directory) (blocks []block, ok bool) {
	lines := strings.Split(text, "\n")
	var run []string
	flush := func() {
		if len(run) > 0 {
			blocks = append(blocks, textBlock(strings.Join(run, "\n"), dir, element{Spacing: "None"}))
			run = nil
		}
	}
	for _, l := range lines {
		m := verdictLine.FindStringSubmatch(commands.PlainText(l))
		if m == nil {
			run = append(run, l)
			continue
		}
		ok = true
		flush()
		color := "good"
		if m[1] == "worse" {
			color = "attention"
		}
		blocks = append(blocks, textBlock(l, dir, element{Spacing: "None", Color: color}))
	}
	flush()
	return blocks, ok
}
