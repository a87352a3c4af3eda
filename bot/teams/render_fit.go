package teams

import (
	"fmt"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// Keeping every card within Teams' 28 KB: what blocks cost, and how a text,
// a section, an item, a picker or a row of buttons that does not fit is
// clipped or split across cards.

// cardSizer adds up the cost of blocks put on one card: each element and
// each mention entity not yet on the card, with a separator each.
type cardSizer struct {
	total int
	seen  map[string]bool
}

func newCardSizer() *cardSizer {
	return &cardSizer{total: emptyCardBytes + len(`,"entities":[]`), seen: map[string]bool{}}
}

// cost is what adding b to the card would add.
func (s *cardSizer) cost(b block) int {
	n := len(marshalJSON(b.el)) + 1
	for _, m := range b.mentions {
		if !s.seen[mentionKey(m)] {
			n += len(marshalJSON(m)) + 1
		}
	}
	return n
}

func (s *cardSizer) fits(b block, extra int) bool { return s.total+s.cost(b)+extra <= maxCardBytes }

func (s *cardSizer) add(b block) {
	s.total += s.cost(b)
	for _, m := range b.mentions {
		s.seen[mentionKey(m)] = true
	}
}

func mentionKey(m schema.Mention) string { return m.Text + "\x00" + m.Mentioned.ID }

func actionsCost(acts []action) int {
	if len(acts) == 0 {
		return 0
	}
	return len(marshalJSON(acts)) + len(`,"actions":`)
}

// blockCost is what b costs on a card of its own (its mentions included).
func blockCost(b block) int {
	return newCardSizer().cost(b)
}

// withMentions returns b with only the mentions its element still uses.
func withMentions(el element, mentions []schema.Mention) block {
	raw := string(marshalJSON(el))
	var kept []schema.Mention
	for _, m := range mentions {
		if strings.Contains(raw, m.Text) {
			kept = append(kept, m)
		}
	}
	return block{el: el, mentions: kept}
}

// buildCard assembles a card from blocks, collecting their mentions.
func buildCard(blocks []block, acts []action) card {
	c := card{Type: "AdaptiveCard", Schema: cardSchema, Version: cardVersion, Body: []element{}, Actions: acts,
		MSTeams: &cardTeams{Width: "Full"}}
	seen := map[string]bool{}
	for _, b := range blocks {
		c.Body = append(c.Body, b.el)
		for _, m := range b.mentions {
			if k := mentionKey(m); !seen[k] {
				seen[k] = true
				c.MSTeams.Entities = append(c.MSTeams.Entities, m)
			}
		}
	}
	return c
}

// clipText cuts marked-up card text to at most n bytes and marks the cut
// with "…": never inside a UTF-8 sequence, after a dangling escape, or
// inside an <at>…</at> mention or a {{DATE(…)}} / {{TIME(…)}} function.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := truncateUTF8(s, max(n-len("…"), 0))
	if i := strings.LastIndex(cut, "<at>"); i >= 0 && !strings.Contains(cut[i:], "</at>") {
		cut = cut[:i]
	}
	if i := strings.LastIndex(cut, "{{"); i >= 0 && !strings.Contains(cut[i:], "}}") {
		cut = cut[:i]
	}
	cut = strings.TrimRight(cut, `\`)
	return cut + "…"
}

// clipBlock clips the texts of b (longest first) until it costs at most
// budget on a card of its own, mentions included.
func clipBlock(b block, budget int) block {
	mentions := b.mentions
	for blockCost(b) > budget {
		t := longestText(&b.el)
		if t == nil || len(*t) <= minCut {
			break
		}
		over := blockCost(b) - budget
		*t = clipText(*t, max(len(*t)-over-16, len(*t)/2))
		b = withMentions(b.el, mentions)
	}
	return b
}

// splitTextBlock splits a TextBlock too large for a card of its own into
// TextBlocks of whole lines, each costing at most budget; a line too long
// for one is clipped.
func splitTextBlock(b block, budget int) []block {
	if blockCost(b) <= budget {
		return []block{b}
	}
	var out []block
	var cur []string
	flush := func() {
		if len(cur) == 0 {
			return
		}
		el := b.el
		el.Text = strings.Join(cur, "\n")
		out = append(out, withMentions(el, b.mentions))
		cur = nil
	}
	empty := b.el
	empty.Text = ""
	base := len(marshalJSON(empty)) + len(`,"text":""`) + 1
	used := base
	for _, line := range strings.Split(b.el.Text, "\n") {
		cost := jsonStringCost(line) + 2 + mentionsCost(line, b.mentions)
		if len(cur) > 0 && used+cost > budget {
			flush()
			used = base
		}
		if base+cost > budget {
			el := b.el
			el.Text = line
			out = append(out, clipBlock(withMentions(el, b.mentions), budget))
			continue
		}
		cur = append(cur, line)
		used += cost
	}
	flush()
	if len(out) == 0 {
		return []block{clipBlock(b, budget)}
	}
	return out
}

// jsonStringCost is the size of s inside a JSON string.
func jsonStringCost(s string) int { return len(marshalJSON(s)) - 2 }

// mentionsCost bounds what the mentions s uses add to a card.
func mentionsCost(s string, mentions []schema.Mention) int {
	n := 0
	for _, m := range mentions {
		if strings.Contains(s, m.Text) {
			n += len(marshalJSON(m)) + 1
		}
	}
	return n
}

// splitSection splits a section Container too large for a card of its own
// into Containers that each fit one: its items are packed in order, a
// picker's menu stays with its button, long texts split at line breaks, a
// FactSet splits between facts, and each continuation starts with the
// section's title marked "(continued)" (hasTitle: the first item is it).
func splitSection(b block, hasTitle bool) []block {
	if blockCost(b) <= pieceBudget {
		return []block{b}
	}
	shell := b.el
	shell.Items = nil
	base := len(marshalJSON(shell)) + len(`,"items":[]`) + 1
	items := b.el.Items
	var contTitle *element
	if hasTitle && len(items) > 0 {
		t := items[0]
		t.Text = clipText(t.Text, maxTitleBytes) + " (continued)"
		contTitle = &t
	}
	reserve := 0
	if contTitle != nil {
		reserve = itemCost(*contTitle, b.mentions)
	}
	room := pieceBudget - base - reserve

	// units are groups of items that stay together, each within room.
	var units [][]element
	for i := 0; i < len(items); i++ {
		it := items[i]
		if it.Type == "Input.ChoiceSet" && i+1 < len(items) && items[i+1].Type == "ActionSet" {
			units = append(units, fitPicker(it, items[i+1], room))
			i++
			continue
		}
		for _, e := range splitItem(it, b.mentions, room) {
			units = append(units, []element{e})
		}
	}

	var out []block
	var cur []element
	used := base
	flush := func() {
		if len(cur) == 0 {
			return
		}
		el := shell
		el.Items = cur
		out = append(out, withMentions(el, b.mentions))
		cur, used = nil, base
	}
	for _, u := range units {
		cost := 0
		for _, e := range u {
			cost += itemCost(e, b.mentions)
		}
		if len(cur) > 0 && used+cost > pieceBudget {
			flush()
		}
		if len(cur) == 0 && len(out) > 0 {
			// A continuation: no separator, and the title again.
			shell.Separator, shell.Spacing = false, "Small"
			if contTitle != nil {
				cur = append(cur, *contTitle)
				used += reserve
			}
		}
		cur = append(cur, u...)
		used += cost
	}
	flush()
	return out
}

// itemCost is what an item adds to a Container, its mentions included.
func itemCost(e element, mentions []schema.Mention) int {
	raw := marshalJSON(e)
	return len(raw) + 1 + mentionsCost(string(raw), mentions)
}

// splitItem splits or clips one item of a section so each part costs at
// most room.
func splitItem(e element, mentions []schema.Mention, room int) []element {
	if itemCost(e, mentions) <= room {
		return []element{e}
	}
	switch {
	case e.Type == "TextBlock":
		var out []element
		for _, p := range splitTextBlock(block{el: e, mentions: mentions}, room-1) {
			out = append(out, p.el)
		}
		return out
	case e.Type == "FactSet" && len(e.Facts) > 0:
		shell := e
		shell.Facts = nil
		base := len(marshalJSON(shell)) + len(`,"facts":[]`) + 1
		var out []element
		var cur []fact
		used := base
		for _, f := range e.Facts {
			cost := len(marshalJSON(f)) + 1 + mentionsCost(f.Title+f.Value, mentions)
			if len(cur) > 0 && used+cost > room {
				fs := shell
				fs.Facts = cur
				out = append(out, fs)
				cur, used = nil, base
			}
			if base+cost > room {
				one := shell
				one.Facts = []fact{f}
				out = append(out, clipBlock(block{el: one, mentions: mentions}, room-1).el)
				continue
			}
			cur = append(cur, f)
			used += cost
		}
		if len(cur) > 0 {
			fs := shell
			fs.Facts = cur
			out = append(out, fs)
		}
		return out
	}
	return []element{clipBlock(block{el: e, mentions: mentions}, room-1).el}
}

// fitPicker keeps a picker's menu and button within room: choices are
// dropped from the end (the placeholder says how many are shown), then the
// placeholder is clipped. Values are never cut.
func fitPicker(set, submit element, room int) []element {
	cost := func() int { return len(marshalJSON(set)) + len(marshalJSON(submit)) + 2 }
	if cost() <= room {
		return []element{set, submit}
	}
	total := len(set.Choices)
	placeholder := set.Placeholder
	for len(set.Choices) > 0 && cost() > room {
		set.Choices = set.Choices[:len(set.Choices)-1]
		set.Placeholder = fmt.Sprintf("%s (first %d of %d shown)…", placeholder, len(set.Choices), total)
	}
	for cost() > room && len(set.Placeholder) > minCut {
		set.Placeholder = clipText(set.Placeholder, len(set.Placeholder)/2)
	}
	return []element{set, submit}
}

// actionChunks splits buttons into groups that each fit a card beside its
// content (maxActionBytes); a button too large alone has its title, then
// its value, clipped.
func actionChunks(acts []action) [][]action {
	var out [][]action
	var cur []action
	used := len(`,"actions":[]`)
	for _, a := range acts {
		// The fallback (render_execute.go) carries the clipped title and data too.
		for a = a.withFallback(); len(marshalJSON(a))+1+len(`,"actions":[]`) > maxActionBytes && len(a.Title) > minCut; a = a.withFallback() {
			a.Title = clipText(a.Title, len(a.Title)/2)
		}
		for ; len(marshalJSON(a))+1+len(`,"actions":[]`) > maxActionBytes && len(a.Data.Value) > 0; a = a.withFallback() {
			a.Data.Value = truncateUTF8(a.Data.Value, len(a.Data.Value)/2)
		}
		cost := len(marshalJSON(a)) + 1
		if len(cur) > 0 && used+cost > maxActionBytes {
			out = append(out, cur)
			cur, used = nil, len(`,"actions":[]`)
		}
		cur = append(cur, a)
		used += cost
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// longestText finds the longest text (fact title or value, placeholder)
// inside e.
func longestText(e *element) *string {
	var best *string
	consider := func(s *string) {
		if best == nil || len(*s) > len(*best) {
			best = s
		}
	}
	var walk func(e *element)
	walk = func(e *element) {
		consider(&e.Text)
		consider(&e.Placeholder)
		for i := range e.Facts {
			consider(&e.Facts[i].Value)
			consider(&e.Facts[i].Title)
		}
		for i := range e.Items {
			walk(&e.Items[i])
		}
	}
	walk(e)
	return best
}
