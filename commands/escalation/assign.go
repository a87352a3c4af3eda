package escalation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

const usageAssign = "/escalate assign <E-n> @person [outcome=<key>]"

// assign gives an escalation to a person (its IT owner, its assignee, an
// it-lead or an admin may), and with outcome= moves it to that outcome and
// its IT channel. The raise time stays, so the ladder keeps counting; the
// new assignee is mentioned once, in the card's thread.
func (c *Escalations) assign(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	if err := commands.OnlyOptions(args, usageAssign, "outcome"); err != nil {
		return commands.Response{}, err
	}
	id, ok := args.Word(0)
	who, ok2 := args.Word(1)
	if !ok || !ok2 || len(args.Words) > 2 {
		return commands.Response{}, commands.Userf("Usage: %s, e.g. %s", commands.Code(usageAssign), commands.Code("/escalate assign E-4 @li"))
	}
	n, err := commands.ParseEscalationID(id.Text)
	if err != nil {
		return commands.Response{}, err
	}
	if who.Kind != commands.TokenUser || who.ID == "" {
		return commands.Response{}, commands.Userf("Assign %s to a person: @mention them (got %s).", commands.EscID(n), commands.Code(commands.Clip(who.Text, 40)))
	}
	key := ""
	if t, ok := args.Option("outcome"); ok {
		key = strings.ToLower(t.Text)
	}
	return c.reassign(ctx, req, n, who.ID, key)
}

// reassign gives escalation n to person who (and with key, moves it to that
// outcome): what /escalate assign and the "Reassign" form both run. The
// role check is in the store's atomic step (req.Need). A refusal about the
// outcome is marked as one (onField FieldOutcome), for the form.
func (c *Escalations) reassign(ctx context.Context, req commands.Request, n int64, who, key string) (commands.Response, error) {
	before, _ := c.store.GetEscalation(ctx, req.Workspace, n)
	e, o, err := c.store.Assign(ctx, req.Workspace, n, who, key, req.User, req.Time, req.Need)
	switch {
	case errors.Is(err, record.ErrForbidden):
		return commands.Response{}, c.core.Forbidden(ctx, req, doingAssign, record.RoleITLead)
	case errors.Is(err, record.ErrNotFound) && key != "":
		if before.N == 0 {
			return commands.Response{}, noEscalation(n)
		}
		return commands.Response{}, onField{FieldOutcome, c.core.UnknownOutcome(ctx, req.Workspace, key)}
	case errors.Is(err, record.ErrNotFound):
		return commands.Response{}, noEscalation(n)
	case errors.Is(err, record.ErrArchived):
		return commands.Response{}, onField{FieldOutcome, commands.Userf("Outcome %s is archived; move %s to an active one.", commands.Code(key), commands.EscID(n))}
	case errors.Is(err, record.ErrResolved):
		return commands.Response{}, commands.Userf("%s is resolved; there is nothing to reassign.", commands.EscID(n))
	case err != nil:
		return commands.Response{}, err
	}
	if o.Key == "" {
		o = record.Outcome{Key: e.Outcome, Title: e.Outcome}
	}
	c.touched(req.Workspace, e, o, before.Assignee)
	text := fmt.Sprintf("%s is now assigned to %s.", commands.Bold(commands.EscID(n)), commands.Mention(who))
	if key != "" && key != before.Outcome {
		text = fmt.Sprintf("%s moved to %s and assigned to %s.", commands.Bold(commands.EscID(n)), commands.Code(key), commands.Mention(who))
	}
	resp := commands.Response{Text: text}
	card := c.Card(e, o, req.Time)
	tell := commands.Response{Visibility: commands.InChannel, Text: fmt.Sprintf("%s, %s (%s) is assigned to you by %s.",
		commands.Mention(who), commands.Bold(commands.EscID(n)), c.core.TicketText(e.Ref), commands.Mention(req.User))}
	moved := o.ITChannel != "" && e.CardChannel != "" && o.ITChannel != e.CardChannel
	switch {
	case moved:
		// A new card in the new outcome's IT channel, where the ladder and
		// later changes now go; the old card says where it went.
		old := commands.Response{Visibility: commands.InChannel, Title: fmt.Sprintf("%s · moved", commands.EscID(n)),
			Text: fmt.Sprintf("%s moved to %s in %s by %s.", commands.EscID(n), commands.Code(o.Key), commands.ChannelLink(o.ITChannel), commands.Mention(req.User))}
		resp.Outgoing = append(resp.Outgoing,
			commands.Outgoing{To: commands.Destination{Workspace: req.Workspace, Channel: e.CardChannel, Update: e.CardID}, Message: old},
			commands.Outgoing{To: commands.Destination{Workspace: req.Workspace, Channel: o.ITChannel}, Message: card, Track: &commands.Track{Escalation: n, Kind: commands.TrackCard}},
			commands.Outgoing{To: commands.Destination{Workspace: req.Workspace, Channel: o.ITChannel}, Message: tell})
	case e.CardID != "":
		resp.Outgoing = append(resp.Outgoing,
			commands.Outgoing{To: commands.Destination{Workspace: req.Workspace, Channel: e.CardChannel, Update: e.CardID}, Message: card},
			commands.Outgoing{To: commands.Destination{Workspace: req.Workspace, Channel: e.CardChannel, Thread: e.CardID}, Message: tell})
	}
	resp.Outgoing = append(resp.Outgoing, c.leadershipUpdates(req.Workspace, e, o)...)
	return resp, nil
}
