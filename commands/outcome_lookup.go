package commands

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/outcomebot/outcomebot/store/record"
)

// Outcome returns the outcome key names in ws, or a UserError naming the
// nearest key when there is none.
func (c *Core) Outcome(ctx context.Context, ws, key string) (record.Outcome, error) {
	o, err := c.store.GetOutcome(ctx, ws, strings.ToLower(key))
	if errors.Is(err, record.ErrNotFound) {
		return o, c.UnknownOutcome(ctx, ws, key)
	}
	return o, err
}

// UnknownOutcome explains that key names no outcome, suggesting the nearest.
func (c *Core) UnknownOutcome(ctx context.Context, ws, key string) error {
	keys, err := c.ActiveOutcomeKeys(ctx, ws)
	if err != nil {
		return err
	}
	if s := Nearest(strings.ToLower(key), keys); s != "" {
		return Userf("No outcome %s; did you mean %s?", Code(Clip(key, 40)), Code(s))
	}
	if len(keys) == 0 {
		return Userf("No outcome %s: this workspace has no outcomes yet. An admin adds one with %s.", Code(Clip(key, 40)), Code(UsageOutcomeAdd))
	}
	return Userf("No outcome %s. See %s for the outcomes of this workspace.", Code(Clip(key, 40)), Code("/outcome list"))
}

// ChunkLines packs lines into sections of at most ~2,500 characters.
func ChunkLines(title string, lines []string) []Section {
	var out []Section
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, Section{Title: title, Text: strings.TrimRight(b.String(), "\n")})
			title = ""
			b.Reset()
		}
	}
	for _, l := range lines {
		if b.Len()+len(l) > 2500 {
			flush()
		}
		b.WriteString(l + "\n")
	}
	flush()
	return out
}

// UsageOutcomeAdd is /outcome add's usage line: an unknown outcome's
// answer names it when the workspace has none yet.
const UsageOutcomeAdd = `/outcome add <key> "<title>" [kpi="…"] [owner=@user] [it=@user] [it-channel=#chan|here] [sla=4h] [hours="Mon-Fri 08:00-18:00 Europe/London"]`

// ActiveOutcomes lists ws's active (not archived) outcomes, by key.
func (c *Core) ActiveOutcomes(ctx context.Context, ws string) ([]record.Outcome, error) {
	all, err := c.store.ListOutcomes(ctx, ws)
	if err != nil {
		return nil, err
	}
	active := all[:0:0]
	for _, o := range all {
		if o.Status != record.OutcomeArchived {
			active = append(active, o)
		}
	}
	sort.Slice(active, func(i, j int) bool { return active[i].Key < active[j].Key })
	return active, nil
}

// ActiveOutcomeKeys lists the keys of ws's active outcomes, sorted.
func (c *Core) ActiveOutcomeKeys(ctx context.Context, ws string) ([]string, error) {
	active, err := c.ActiveOutcomes(ctx, ws)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(active))
	for i, o := range active {
		keys[i] = o.Key
	}
	return keys, nil
}
