package outcome

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

const (
	usageOutcomeAdd = commands.UsageOutcomeAdd
	usageOutcomeSet = `/outcome set <key> field=value…  (title, kpi, owner, it, it-channel, sla, hours; value none clears all but title)`
)

// outcomeFields are the options /outcome add and set accept.
var outcomeFields = []string{"title", "kpi", "owner", "it", "it-channel", "sla", "hours"}

func (c *Outcomes) outcomeAdd(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	key, ok := args.Word(0)
	title, ok2 := args.Word(1)
	if err := unquotedHours(args, 2); err != nil {
		return commands.Response{}, err
	}
	if !ok || !ok2 || len(args.Words) > 2 {
		return commands.Response{}, commands.Userf("Usage: %s\nExample: %s", commands.Code(usageOutcomeAdd), commands.Code(`/outcome add pos-conversion "Omnichannel POS lifts in-store conversion" kpi="in-store conversion rate" it=@dev it-channel=#it-pos`))
	}
	if err := checkOutcomeKey(key.Text); err != nil {
		return commands.Response{}, err
	}
	if err := commands.OnlyOptions(args, usageOutcomeAdd, outcomeFields[1:]...); err != nil {
		return commands.Response{}, err
	}
	o := record.Outcome{Key: key.Text, Title: title.Text, Status: record.OutcomeActive, CreatedBy: req.User, CreatedAt: req.Time}
	if err := applyOutcomeOptions(req, &o, args); err != nil {
		return commands.Response{}, err
	}
	if err := c.store.CreateOutcome(ctx, req.Workspace, o); err != nil {
		if errors.Is(err, record.ErrExists) {
			return commands.Response{}, commands.Userf("Outcome %s already exists. Change it with %s.", commands.Code(o.Key), commands.Code("/outcome set "+o.Key+" field=value"))
		}
		return commands.Response{}, err
	}
	warn := c.newOwnerWarning(ctx, req, args, o)
	return commands.Response{Text: fmt.Sprintf("Outcome %s added: %s.%s%s", commands.Code(o.Key), o.Title, c.routingNote(o), warn)}, nil
}

func (c *Outcomes) routingNote(o record.Outcome) string {
	var parts []string
	if o.ITOwner != "" {
		parts = append(parts, "IT owner "+commands.Mention(o.ITOwner))
	}
	if o.ITChannel != "" {
		parts = append(parts, "escalations go to "+commands.ChannelLink(o.ITChannel))
	} else {
		parts = append(parts, "no IT channel yet: escalations stay in the channel they are raised in (set one with "+commands.Code("/outcome set "+o.Key+" it-channel=#chan")+")")
	}
	return " " + commands.UpperFirst(strings.Join(parts, "; ")) + "."
}

// applyOutcomeOptions copies validated key=value options onto o. The
// value none clears an optional field (kpi, owner, it, it-channel, sla);
// the title cannot be cleared.
func applyOutcomeOptions(req commands.Request, o *record.Outcome, args commands.Args) error {
	for _, k := range args.Order {
		t := args.Options[k]
		if isNone(t) {
			if err := clearOutcomeField(o, k); err != nil {
				return err
			}
			continue
		}
		var err error
		switch k {
		case "title":
			o.Title = t.Text
		case "kpi":
			o.KPI = t.Text
		case "owner":
			o.Owner, err = userArg(t, "the business owner (`owner=`)")
		case "it":
			o.ITOwner, err = userArg(t, "the IT owner (`it=`)")
		case "it-channel":
			o.ITChannel, err = commands.ChannelArg(req, t, "the IT channel (`it-channel=`)")
		case "sla":
			o.SLA, err = parseSLA(t.Text)
		case "hours":
			o.Hours, err = parseHours(t.Text)
		}
		if err != nil {
			return err
		}
	}
	if strings.TrimSpace(o.Title) == "" {
		return commands.Userf("An outcome needs a title: %s", commands.Code(usageOutcomeAdd))
	}
	if len(o.Title) > 200 || len(o.KPI) > 200 {
		return commands.Userf("Titles and KPIs are limited to 200 characters; shorten it and try again.")
	}
	return nil
}

// isNone reports whether an option's value is the word none (any case).
func isNone(t commands.Token) bool {
	return t.Kind == commands.TokenWord && strings.EqualFold(t.Text, "none")
}

// clearOutcomeField empties the optional field named by option key k.
func clearOutcomeField(o *record.Outcome, k string) error {
	switch k {
	case "title":
		return commands.Userf("An outcome needs a title, so `title=` cannot be cleared; give a new one, e.g. %s.", commands.Code(`/outcome set `+o.Key+` title="Omnichannel POS lifts in-store conversion"`))
	case "kpi":
		o.KPI = ""
	case "owner":
		o.Owner = ""
	case "it":
		o.ITOwner = ""
	case "it-channel":
		o.ITChannel = ""
	case "sla":
		o.SLA = 0
	case "hours":
		o.Hours = ""
	}
	return nil
}

func (c *Outcomes) outcomeSet(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	key, ok := args.Word(0)
	if err := unquotedHours(args, 1); err != nil {
		return commands.Response{}, err
	}
	if !ok || len(args.Words) > 1 || len(args.Order) == 0 {
		return commands.Response{}, commands.Userf("Usage: %s\nExample: %s", commands.Code(usageOutcomeSet), commands.Code("/outcome set pos sla=2h it=@dev"))
	}
	if err := commands.OnlyOptions(args, usageOutcomeSet, outcomeFields...); err != nil {
		return commands.Response{}, err
	}
	o, err := c.core.Outcome(ctx, req.Workspace, key.Text)
	if err != nil {
		return commands.Response{}, err
	}
	if err := applyOutcomeOptions(req, &o, args); err != nil {
		return commands.Response{}, err
	}
	if err := c.store.UpdateOutcome(ctx, req.Workspace, o, req.User, req.Time); err != nil {
		return commands.Response{}, err
	}
	warn := c.newOwnerWarning(ctx, req, args, o)
	return commands.Response{Text: fmt.Sprintf("Outcome %s updated (%s).%s", commands.Code(o.Key), strings.Join(c.setChanges(args), ", "), warn)}, nil
}

// setChanges names the fields /outcome set changed, saying which it cleared.
func (c *Outcomes) setChanges(args commands.Args) []string {
	out := make([]string, 0, len(args.Order))
	for _, k := range args.Order {
		switch {
		case !isNone(args.Options[k]):
			out = append(out, k)
		case k == "sla":
			out = append(out, "sla cleared: the default "+commands.DurationText(c.cfg.AckSLA)+" applies")
		case k == "hours":
			out = append(out, "hours cleared: the default "+c.cfg.BusinessHours.String()+" applies")
		default:
			out = append(out, k+" cleared")
		}
	}
	return out
}

func (c *Outcomes) outcomeArchive(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	key, ok := args.Word(0)
	if !ok || len(args.Words) > 1 {
		return commands.Response{}, commands.Userf("Usage: %s", commands.Code("/outcome archive <key>"))
	}
	o, err := c.core.Outcome(ctx, req.Workspace, key.Text)
	if err != nil {
		return commands.Response{}, err
	}
	if o.Status == record.OutcomeArchived {
		return commands.Response{Text: fmt.Sprintf("Outcome %s is already archived.", commands.Code(o.Key))}, nil
	}
	o.Status = record.OutcomeArchived
	if err := c.store.UpdateOutcome(ctx, req.Workspace, o, req.User, req.Time); err != nil {
		return commands.Response{}, err
	}
	return commands.Response{Text: fmt.Sprintf("Outcome %s archived: no new tags or escalations; its history stays in the digest.", commands.Code(o.Key))}, nil
}

// outcomeRestore makes an archived outcome active again: it takes tags and
// escalations, with the fields it had. An active one is left as it is.
func (c *Outcomes) outcomeRestore(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	key, ok := args.Word(0)
	if !ok || len(args.Words) > 1 || len(args.Order) > 0 {
		return commands.Response{}, commands.Userf("Usage: %s", commands.Code("/outcome restore <key>"))
	}
	o, err := c.core.Outcome(ctx, req.Workspace, key.Text)
	if err != nil {
		return commands.Response{}, err
	}
	if o.Status != record.OutcomeArchived {
		return commands.Response{Text: fmt.Sprintf("Outcome %s is already active; nothing changed.", commands.Code(o.Key))}, nil
	}
	o.Status = record.OutcomeActive
	if err := c.store.UpdateOutcome(ctx, req.Workspace, o, req.User, req.Time); err != nil {
		return commands.Response{}, err
	}
	return commands.Response{Text: fmt.Sprintf("Outcome %s restored: work can be tagged and escalated to it again.", commands.Code(o.Key))}, nil
}

func (c *Outcomes) outcomeList(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	all, err := c.store.ListOutcomes(ctx, req.Workspace)
	if err != nil {
		return commands.Response{}, err
	}
	if len(all) == 0 {
		return commands.Response{Text: "No outcomes yet. An admin adds one with " + commands.Code(usageOutcomeAdd) + "."}, nil
	}
	var active, archived []string
	for _, o := range all {
		line := commands.Code(o.Key) + " — " + o.Title
		if o.ITOwner != "" {
			line += " · IT " + commands.Mention(o.ITOwner)
		}
		if o.Status == record.OutcomeArchived {
			archived = append(archived, line)
		} else {
			active = append(active, line)
		}
	}
	resp := commands.Response{Title: "Outcomes", Text: fmt.Sprintf("%d active, %d archived.", len(active), len(archived))}
	resp.Sections = append(resp.Sections, commands.ChunkLines("Active", active)...)
	if len(archived) > 0 {
		resp.Sections = append(resp.Sections, commands.ChunkLines("Archived", archived)...)
	}
	return resp, nil
}

func (c *Outcomes) outcomeShow(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	key, ok := args.Word(0)
	if !ok || len(args.Words) > 1 {
		return commands.Response{}, commands.Userf("Usage: %s", commands.Code("/outcome show <key>"))
	}
	o, err := c.core.Outcome(ctx, req.Workspace, key.Text)
	if err != nil {
		return commands.Response{}, err
	}
	return commands.Response{Title: o.Title, Text: commands.Code(o.Key) + " · " + o.Status, Sections: []commands.Section{{Fields: c.outcomeFieldsOf(o)}}}, nil
}

func (c *Outcomes) outcomeFieldsOf(o record.Outcome) []commands.Field {
	orNone := func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	}
	mention := func(id string) string {
		if id == "" {
			return "—"
		}
		return commands.Mention(id)
	}
	channel := "—"
	if o.ITChannel != "" {
		channel = commands.ChannelLink(o.ITChannel)
	}
	sla := fmt.Sprintf("%s (default)", commands.DurationText(c.cfg.AckSLA))
	if o.SLA > 0 {
		sla = commands.DurationText(o.SLA)
	}
	return []commands.Field{
		{Label: "KPI", Value: orNone(o.KPI)},
		{Label: "Business owner", Value: mention(o.Owner)},
		{Label: "IT owner", Value: mention(o.ITOwner)},
		{Label: "IT channel", Value: channel},
		{Label: "Ack SLA", Value: sla},
		{Label: "Business hours", Value: c.hoursText(o)},
		{Label: "Created", Value: mention(o.CreatedBy) + " " + o.CreatedAt.In(c.cfg.DefaultTZ).Format("2 Jan 2006")},
	}
}
