package outcome

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Each outcome's own number: its business owner (or an admin) records the
// KPI's value with /outcome kpi, and says the outcome is still a priority
// with /outcome confirm or the weekly check-in's buttons. Every change is
// checked by the store in the same atomic step as the write: the actor is
// the outcome's business owner or an admin, the outcome is active, and a
// value's unit is the unit of the values before it.

// Button actions of the weekly check-in's "Still a priority?" question;
// the button's value is the outcome key.
const (
	ActionConfirm = "outcome-confirm"
	ActionArchive = "outcome-archive"
)

const (
	usageKPI     = "/outcome kpi <key> [<value> [note…]]"
	usageConfirm = "/outcome confirm <key>"
	// maxNoteRunes bounds a KPI value's note.
	maxNoteRunes = 300
)

// kpiDefinitions are the /outcome subcommands and button actions of this file.
func (c *Outcomes) kpiDefinitions() (subs, actions []commands.Definition) {
	withValue := func(a commands.Args) bool { return len(a.Words) >= 2 }
	subs = []commands.Definition{
		{Name: "kpi", Usage: usageKPI, Role: record.RoleAdmin, RoleWhen: withValue, Atomic: true,
			Summary: "record this week's value of an outcome's KPI (its business owner or an admin); alone, its recent values",
			Doing:   "record KPI values", Example: "/outcome kpi pos 3.5% after the Leeds rollout", Handler: commands.HandlerFunc(c.kpi)},
		{Name: "confirm", Usage: usageConfirm, Role: record.RoleAdmin, Atomic: true,
			Summary: "say an outcome is still a priority (its business owner or an admin)",
			Doing:   "confirm outcomes", Handler: commands.HandlerFunc(c.confirm)},
	}
	actions = []commands.Definition{
		{Name: ActionConfirm, Role: record.RoleAdmin, Atomic: true, Doing: "confirm outcomes", Handler: commands.HandlerFunc(c.confirm)},
		{Name: ActionArchive, Role: record.RoleAdmin, Atomic: true, Doing: "archive outcomes", Handler: commands.HandlerFunc(c.archiveOwn)},
	}
	return subs, actions
}

// kpiValueRE is the grammar of a KPI value: an optional currency sign, a
// number (digits, optionally grouped by commas in threes, optionally with
// a decimal point), and an optional unit right after it: % or up to 12
// letters ("k", "m", "bn", "ms", "pts").
var kpiValueRE = regexp.MustCompile(`^([£$€¥]?)([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(%|\p{L}{1,12})?$`)

// kpiExamples is shown with every refusal of a value.
const kpiExamples = "`42`, `3.5%`, `£1.2m`, `180ms`"

// ParseKPIValue reads a KPI value written as kpiValueRE says.
func ParseKPIValue(s string) (record.KPIValue, bool) {
	m := kpiValueRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return record.KPIValue{}, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(m[2], ",", ""), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) >= 1e15 {
		return record.KPIValue{}, false
	}
	return record.KPIValue{Value: f, Prefix: m[1], Suffix: m[3]}, true
}

// unitText names a value's unit for a refusal: "in %", "in £", "in £…m",
// "plain numbers (no unit)".
func unitText(v record.KPIValue) string {
	switch {
	case v.Prefix == "" && v.Suffix == "":
		return "plain numbers (no unit)"
	case v.Prefix == "":
		return "in " + v.Suffix
	case v.Suffix == "":
		return "in " + v.Prefix
	}
	return "in " + v.Prefix + "…" + v.Suffix
}

// kpi is /outcome kpi: with a value, record it; alone, show recent values.
func (c *Outcomes) kpi(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	key, ok := args.Word(0)
	word, hasValue := args.Word(1)
	if !ok || (!hasValue && len(args.Order) > 0) {
		return commands.Response{}, commands.Userf("Usage: %s\nExample: %s", commands.Code(usageKPI), commands.Code("/outcome kpi pos 3.5% after the Leeds rollout"))
	}
	k := strings.ToLower(key.Text)
	if !hasValue {
		return c.kpiShow(ctx, req, key.Text)
	}
	v, ok := ParseKPIValue(word.Text)
	if !ok {
		return commands.Response{}, commands.Userf("`%s` is not a KPI value: write a number, with its unit right after it or a currency sign before it, e.g. %s (%s).",
			commands.Clip(word.Text, 40), commands.Code("/outcome kpi "+k+" 3.5%"), kpiExamples)
	}
	// The note is everything after the value, as typed (an a=b in it is
	// part of the note, not an option).
	if w, ok := args.Word(2); ok && w.Text == "%" {
		return commands.Response{}, commands.Userf("Write the unit right after the number, with no space: %s.", commands.Code("/outcome kpi "+k+" "+word.Text+"%"))
	}
	v.Note = commands.Clip(strings.TrimSpace(args.Raw[word.End:]), maxNoteRunes)
	in := record.CheckIn{Outcome: k, Actor: req.User, At: req.Time, Need: req.Need}
	res, err := c.store.RecordKPI(ctx, req.Workspace, in, v)
	if err := c.checkInRefusal(ctx, req, key.Text, res, err, "record its KPI value", "/outcome kpi "+k+" "+word.Text); err != nil {
		return commands.Response{}, err
	}
	if res.Verdict == record.CheckInUnit {
		return commands.Response{}, commands.Userf("%s's earlier values are %s (latest %s on %s); %s is not. Write it in the same unit, e.g. %s.",
			commands.Code(k), unitText(res.Last), res.Last.Text(), c.day(res.Last), commands.Code(commands.Clip(word.Text, 40)),
			commands.Code("/outcome kpi "+k+" "+sameUnit(res.Last, v)))
	}
	text := fmt.Sprintf("Recorded %s for %s", v.Text(), commands.Code(k))
	if res.Last.By != "" {
		text += fmt.Sprintf(" (previous: %s on %s)", res.Last.Text(), c.day(res.Last))
	}
	text += ". The digest shows it beside the IT work tagged to " + commands.Code(k) + "."
	return commands.Response{Text: text}, nil
}

// sameUnit writes v's number in last's unit, for a refusal's example.
func sameUnit(last, v record.KPIValue) string {
	v.Prefix, v.Suffix = last.Prefix, last.Suffix
	return v.Text()
}

// day renders when a value was recorded, in the default zone: "7 Dec 2026".
func (c *Outcomes) day(v record.KPIValue) string {
	return v.At.In(c.cfg.DefaultTZ).Format("2 Jan 2006")
}

// maxShownValues is how many recent values /outcome kpi <key> lists.
const maxShownValues = 12

// kpiShow lists an outcome's recent KPI values, newest first.
func (c *Outcomes) kpiShow(ctx context.Context, req commands.Request, key string) (commands.Response, error) {
	o, err := c.core.Outcome(ctx, req.Workspace, key)
	if err != nil {
		return commands.Response{}, err
	}
	all, err := c.store.OutcomeKPIs(ctx, req.Workspace, []string{o.Key}, time.Time{})
	if err != nil {
		return commands.Response{}, err
	}
	k := all[o.Key]
	name := o.KPI
	if name == "" {
		name = "its KPI"
	}
	title := commands.Clip(o.Title, commands.MaxTitleRunes) + " (" + o.Key + ")"
	if len(k.Values) == 0 {
		return commands.Response{Title: title, Text: fmt.Sprintf("No values of %s yet. Its business owner (%s) or an admin records one with %s.",
			commands.Clip(name, commands.MaxKPIRunes), commands.MentionOr(o.Owner, "not set"), commands.Code("/outcome kpi "+o.Key+" <value>"))}, nil
	}
	var lines []string
	for i := len(k.Values) - 1; i >= 0 && len(lines) < maxShownValues; i-- {
		v := k.Values[i]
		line := c.day(v) + ": " + v.Text() + " by " + commands.MentionOr(v.By, "unknown")
		if v.Note != "" {
			line += " — " + commands.Clip(v.Note, maxNoteRunes)
		}
		lines = append(lines, line)
	}
	resp := commands.Response{Title: title, Text: fmt.Sprintf("%s: %s kept, newest first.", commands.Clip(name, commands.MaxKPIRunes),
		commands.CountNoun(len(k.Values), "value", "values"))}
	resp.Sections = commands.ChunkLines("", lines)
	return resp, nil
}

// confirm is /outcome confirm and the check-in's Yes button.
func (c *Outcomes) confirm(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	key, ok := args.Word(0)
	if !ok || len(args.Words) > 1 || len(args.Order) > 0 {
		return commands.Response{}, commands.Userf("Usage: %s", commands.Code(usageConfirm))
	}
	k := strings.ToLower(key.Text)
	res, err := c.store.ConfirmOutcome(ctx, req.Workspace, record.CheckIn{Outcome: k, Actor: req.User, At: req.Time, Need: req.Need})
	if err := c.checkInRefusal(ctx, req, key.Text, res, err, "confirm it is still a priority", "/outcome confirm "+k); err != nil {
		return commands.Response{}, err
	}
	return commands.Response{Text: fmt.Sprintf("Thanks: %s is still a priority (confirmed %s). The digest will not flag it as stale for four weeks.",
		commands.Code(k), req.Time.In(c.cfg.DefaultTZ).Format("2 Jan 2006"))}, nil
}

// archiveOwn is the check-in's Archive button: the business owner (or an
// admin) archives the outcome.
func (c *Outcomes) archiveOwn(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	key, ok := args.Word(0)
	if !ok || len(args.Words) > 1 {
		return commands.Response{}, commands.Userf("Usage: %s", commands.Code("/outcome archive <key>"))
	}
	k := strings.ToLower(key.Text)
	res, err := c.store.ArchiveOwnOutcome(ctx, req.Workspace, record.CheckIn{Outcome: k, Actor: req.User, At: req.Time, Need: req.Need})
	if err := c.checkInRefusal(ctx, req, key.Text, res, err, "archive it", "/outcome archive "+k); err != nil {
		return commands.Response{}, err
	}
	if res.Verdict == record.CheckInAlready {
		return commands.Response{Text: fmt.Sprintf("Outcome %s is already archived; nothing changed.", commands.Code(k))}, nil
	}
	return commands.Response{Text: fmt.Sprintf("Outcome %s archived: no new tags or escalations; its history stays in the digest. An admin can bring it back with %s.",
		commands.Code(k), commands.Code("/outcome restore "+k))}, nil
}

// checkInRefusal turns a check-in change that did not happen into its
// answer: an unknown outcome, an actor who is neither its business owner
// nor an admin (naming who can, and the command they would run), an
// archived outcome. nil when the change was made (or needs the caller's
// own answer: CheckInAlready, CheckInUnit).
func (c *Outcomes) checkInRefusal(ctx context.Context, req commands.Request, key string, res record.CheckInResult, err error, doing, command string) error {
	k := strings.ToLower(key)
	switch {
	case errors.Is(err, record.ErrNotFound):
		return c.core.UnknownOutcome(ctx, req.Workspace, key)
	case err != nil:
		return err
	}
	switch res.Verdict {
	case record.CheckInForbidden:
		admins := c.adminsText(ctx, req.Workspace)
		if res.Owner == "" {
			return commands.Userf("You need the admin role to %s: %s has no business owner. Ask an admin (%s) to run %s, or to name its owner with %s.",
				doing, commands.Code(k), admins, commands.Code(command), commands.Code("/outcome set "+k+" owner=@user"))
		}
		return commands.Userf("You need the admin role, or to be the business owner of %s (%s), to %s. Ask them or an admin (%s) to run %s.",
			commands.Code(k), commands.Mention(res.Owner), doing, admins, commands.Code(command))
	case record.CheckInArchived:
		return commands.Userf("Outcome %s is archived, so it takes no KPI values or confirmations. An admin can bring it back with %s.",
			commands.Code(k), commands.Code("/outcome restore "+k))
	}
	return nil
}

// adminsText names up to five of the workspace's admins for a refusal.
func (c *Outcomes) adminsText(ctx context.Context, ws string) string {
	if s := c.core.AdminMentions(ctx, ws); s != "" {
		return s
	}
	return "none set up yet"
}
