package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/outcomebot/outcomebot/store/record"
)

const (
	usageOutcomeAdd = `/outcome add <key> "<title>" [kpi="…"] [owner=@user] [it=@user] [it-channel=#chan|here] [sla=4h]`
	usageOutcomeSet = `/outcome set <key> field=value…  (title, kpi, owner, it, it-channel, sla; value none clears all but title)`
)

// outcomeFields are the options /outcome add and set accept.
var outcomeFields = []string{"title", "kpi", "owner", "it", "it-channel", "sla"}

func (c *Core) outcomeAdd(ctx context.Context, req Request, args Args) (Response, error) {
	key, ok := args.Word(0)
	title, ok2 := args.Word(1)
	if !ok || !ok2 || len(args.Words) > 2 {
		return Response{}, Userf("Usage: %s\nExample: %s", Code(usageOutcomeAdd), Code(`/outcome add pos-conversion "Omnichannel POS lifts in-store conversion" kpi="in-store conversion rate" it=@dev it-channel=#it-pos`))
	}
	if err := checkOutcomeKey(key.Text); err != nil {
		return Response{}, err
	}
	if err := OnlyOptions(args, usageOutcomeAdd, outcomeFields[1:]...); err != nil {
		return Response{}, err
	}
	o := record.Outcome{Key: key.Text, Title: title.Text, Status: record.OutcomeActive, CreatedBy: req.User, CreatedAt: req.Time}
	if err := applyOutcomeOptions(req, &o, args); err != nil {
		return Response{}, err
	}
	if err := c.store.CreateOutcome(ctx, req.Workspace, o); err != nil {
		if errors.Is(err, record.ErrExists) {
			return Response{}, Userf("Outcome %s already exists. Change it with %s.", Code(o.Key), Code("/outcome set "+o.Key+" field=value"))
		}
		return Response{}, err
	}
	return Response{Text: fmt.Sprintf("Outcome %s added: %s.%s", Code(o.Key), o.Title, c.routingNote(o))}, nil
}

func (c *Core) routingNote(o record.Outcome) string {
	var parts []string
	if o.ITOwner != "" {
		parts = append(parts, "IT owner "+Mention(o.ITOwner))
	}
	if o.ITChannel != "" {
		parts = append(parts, "escalations go to "+ChannelLink(o.ITChannel))
	} else {
		parts = append(parts, "no IT channel yet: escalations stay in the channel they are raised in (set one with "+Code("/outcome set "+o.Key+" it-channel=#chan")+")")
	}
	return " " + upperFirst(strings.Join(parts, "; ")) + "."
}

// applyOutcomeOptions copies validated key=value options onto o. The
// value none clears an optional field (kpi, owner, it, it-channel, sla);
// the title cannot be cleared.
func applyOutcomeOptions(req Request, o *record.Outcome, args Args) error {
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
			o.ITChannel, err = ChannelArg(req, t, "the IT channel (`it-channel=`)")
		case "sla":
			o.SLA, err = parseSLA(t.Text)
		}
		if err != nil {
			return err
		}
	}
	if strings.TrimSpace(o.Title) == "" {
		return Userf("An outcome needs a title: %s", Code(usageOutcomeAdd))
	}
	if len(o.Title) > 200 || len(o.KPI) > 200 {
		return Userf("Titles and KPIs are limited to 200 characters; shorten it and try again.")
	}
	return nil
}

// isNone reports whether an option's value is the word none (any case).
func isNone(t Token) bool { return t.Kind == TokenWord && strings.EqualFold(t.Text, "none") }

// clearOutcomeField empties the optional field named by option key k.
func clearOutcomeField(o *record.Outcome, k string) error {
	switch k {
	case "title":
		return Userf("An outcome needs a title, so `title=` cannot be cleared; give a new one, e.g. %s.", Code(`/outcome set `+o.Key+` title="Omnichannel POS lifts in-store conversion"`))
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
	}
	return nil
}

func (c *Core) outcomeSet(ctx context.Context, req Request, args Args) (Response, error) {
	key, ok := args.Word(0)
	if !ok || len(args.Words) > 1 || len(args.Order) == 0 {
		return Response{}, Userf("Usage: %s\nExample: %s", Code(usageOutcomeSet), Code("/outcome set pos sla=2h it=@dev"))
	}
	if err := OnlyOptions(args, usageOutcomeSet, outcomeFields...); err != nil {
		return Response{}, err
	}
	o, err := c.Outcome(ctx, req.Workspace, key.Text)
	if err != nil {
		return Response{}, err
	}
	if err := applyOutcomeOptions(req, &o, args); err != nil {
		return Response{}, err
	}
	if err := c.store.UpdateOutcome(ctx, req.Workspace, o, req.User, req.Time); err != nil {
		return Response{}, err
	}
	return Response{Text: fmt.Sprintf("Outcome %s updated (%s).", Code(o.Key), strings.Join(c.setChanges(args), ", "))}, nil
}

// setChanges names the fields /outcome set changed, saying which it cleared.
func (c *Core) setChanges(args Args) []string {
	out := make([]string, 0, len(args.Order))
	for _, k := range args.Order {
		switch {
		case !isNone(args.Options[k]):
			out = append(out, k)
		case k == "sla":
			out = append(out, "sla cleared: the default "+DurationText(c.cfg.AckSLA)+" applies")
		default:
			out = append(out, k+" cleared")
		}
	}
	return out
}

func (c *Core) outcomeArchive(ctx context.Context, req Request, args Args) (Response, error) {
	key, ok := args.Word(0)
	if !ok || len(args.Words) > 1 {
		return Response{}, Userf("Usage: %s", Code("/outcome archive <key>"))
	}
	o, err := c.Outcome(ctx, req.Workspace, key.Text)
	if err != nil {
		return Response{}, err
	}
	if o.Status == record.OutcomeArchived {
		return Response{Text: fmt.Sprintf("Outcome %s is already archived.", Code(o.Key))}, nil
	}
	o.Status = record.OutcomeArchived
	if err := c.store.UpdateOutcome(ctx, req.Workspace, o, req.User, req.Time); err != nil {
		return Response{}, err
	}
	return Response{Text: fmt.Sprintf("Outcome %s archived: no new tags or escalations; its history stays in the digest.", Code(o.Key))}, nil
}

// outcomeRestore makes an archived outcome active again: it takes tags and
// escalations, with the fields it had. An active one is left as it is.
func (c *Core) outcomeRestore(ctx context.Context, req Request, args Args) (Response, error) {
	key, ok := args.Word(0)
	if !ok || len(args.Words) > 1 || len(args.Order) > 0 {
		return Response{}, Userf("Usage: %s", Code("/outcome restore <key>"))
	}
	o, err := c.Outcome(ctx, req.Workspace, key.Text)
	if err != nil {
		return Response{}, err
	}
	if o.Status != record.OutcomeArchived {
		return Response{Text: fmt.Sprintf("Outcome %s is already active; nothing changed.", Code(o.Key))}, nil
	}
	o.Status = record.OutcomeActive
	if err := c.store.UpdateOutcome(ctx, req.Workspace, o, req.User, req.Time); err != nil {
		return Response{}, err
	}
	return Response{Text: fmt.Sprintf("Outcome %s restored: work can be tagged and escalated to it again.", Code(o.Key))}, nil
}

// Outcome returns the outcome key names in ws, or a UserError naming the
// nearest key when there is none.
func (c *Core) Outcome(ctx context.Context, ws, key string) (record.Outcome, error) {
	o, err := c.store.GetOutcome(ctx, ws, strings.ToLower(key))
	if errors.Is(err, record.ErrNotFound) {
		return o, c.unknownOutcome(ctx, ws, key)
	}
	return o, err
}

// unknownOutcome explains that key names no outcome, suggesting the nearest.
func (c *Core) unknownOutcome(ctx context.Context, ws, key string) error {
	all, err := c.store.ListOutcomes(ctx, ws)
	if err != nil {
		return err
	}
	var keys []string
	for _, o := range all {
		if o.Status != record.OutcomeArchived {
			keys = append(keys, o.Key)
		}
	}
	if s := Nearest(strings.ToLower(key), keys); s != "" {
		return Userf("No outcome %s; did you mean %s?", Code(Clip(key, 40)), Code(s))
	}
	if len(keys) == 0 {
		return Userf("No outcome %s: this workspace has no outcomes yet. An admin adds one with %s.", Code(Clip(key, 40)), Code(usageOutcomeAdd))
	}
	return Userf("No outcome %s. See %s for the outcomes of this workspace.", Code(Clip(key, 40)), Code("/outcome list"))
}

func (c *Core) outcomeList(ctx context.Context, req Request, args Args) (Response, error) {
	all, err := c.store.ListOutcomes(ctx, req.Workspace)
	if err != nil {
		return Response{}, err
	}
	if len(all) == 0 {
		return Response{Text: "No outcomes yet. An admin adds one with " + Code(usageOutcomeAdd) + "."}, nil
	}
	var active, archived []string
	for _, o := range all {
		line := Code(o.Key) + " — " + o.Title
		if o.ITOwner != "" {
			line += " · IT " + Mention(o.ITOwner)
		}
		if o.Status == record.OutcomeArchived {
			archived = append(archived, line)
		} else {
			active = append(active, line)
		}
	}
	resp := Response{Title: "Outcomes", Text: fmt.Sprintf("%d active, %d archived.", len(active), len(archived))}
	resp.Sections = append(resp.Sections, chunkLines("Active", active)...)
	if len(archived) > 0 {
		resp.Sections = append(resp.Sections, chunkLines("Archived", archived)...)
	}
	return resp, nil
}

// chunkLines packs lines into sections of at most ~2,500 characters.
func chunkLines(title string, lines []string) []Section {
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

func (c *Core) outcomeShow(ctx context.Context, req Request, args Args) (Response, error) {
	key, ok := args.Word(0)
	if !ok || len(args.Words) > 1 {
		return Response{}, Userf("Usage: %s", Code("/outcome show <key>"))
	}
	o, err := c.Outcome(ctx, req.Workspace, key.Text)
	if err != nil {
		return Response{}, err
	}
	return Response{Title: o.Title, Text: Code(o.Key) + " · " + o.Status, Sections: []Section{{Fields: c.outcomeFieldsOf(o)}}}, nil
}

func (c *Core) outcomeFieldsOf(o record.Outcome) []Field {
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
		return Mention(id)
	}
	channel := "—"
	if o.ITChannel != "" {
		channel = ChannelLink(o.ITChannel)
	}
	sla := fmt.Sprintf("%s (default)", DurationText(c.cfg.AckSLA))
	if o.SLA > 0 {
		sla = DurationText(o.SLA)
	}
	return []Field{
		{Label: "KPI", Value: orNone(o.KPI)},
		{Label: "Business owner", Value: mention(o.Owner)},
		{Label: "IT owner", Value: mention(o.ITOwner)},
		{Label: "IT channel", Value: channel},
		{Label: "Ack SLA", Value: sla},
		{Label: "Created", Value: mention(o.CreatedBy) + " " + o.CreatedAt.In(c.cfg.DefaultTZ).Format("2 Jan 2006")},
	}
}
