package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/outcomebot/outcomebot/store/record"
)

// UsageTag is /tag's usage line.
const UsageTag = "/tag <ticket> <outcome-key>|none [note…]"

// TicketText shows a ticket reference as a link where a template matches.
func (c *Core) TicketText(ref string) string { return TicketText(ref, c.cfg.TicketLinks.URL) }

func (c *Core) tag(ctx context.Context, req Request, args Args) (Response, error) {
	ticket, ok := args.Word(0)
	if !ok {
		return Response{}, Userf("Usage: %s\nExample: %s", Code(UsageTag), Code("/tag INC0012345 pos-conversion card reader rollout"))
	}
	if err := OnlyOptions(args, UsageTag); err != nil {
		return Response{}, err
	}
	ref, err := c.TicketWord(ticket)
	if err != nil {
		return Response{}, err
	}
	target, ok := args.Word(1)
	if !ok {
		return c.showRequest(ctx, req, ref)
	}
	if _, err := ParseEscalationID(target.Text); err == nil && hasPrefixFold(target.Text, "E-") {
		// /tag <ticket> E-7: the ticket of an escalation raised without one.
		return c.router.Dispatch(ctx, Request{Workspace: req.Workspace, Channel: req.Channel, User: req.User, UserName: req.UserName,
			Command: "escalate", Text: "ticket " + target.Text + " " + ref, Time: req.Time})
	}
	key := strings.ToLower(target.Text)
	if key == "none" {
		key = ""
	}
	// One round trip: the store checks the outcome exists and is active.
	// A blank note ("   ") is no note.
	prev, err := c.store.Tag(ctx, req.Workspace, ref, key, req.User, NoteText(args, 2), req.Time)
	switch {
	case errors.Is(err, record.ErrNotFound):
		return Response{}, c.UnknownOutcome(ctx, req.Workspace, target.Text)
	case errors.Is(err, record.ErrArchived):
		return Response{}, Userf("Outcome %s is archived; tag the work to an active outcome (see %s).", Code(key), Code("/outcome list"))
	case err != nil:
		return Response{}, err
	}
	return Response{Text: tagReply(ref, c.TicketText(ref), prev, key)}, nil
}

func tagReply(ref, ticket, prev, key string) string {
	switch {
	case key == "" && prev == "":
		return fmt.Sprintf("%s has no outcome: it counts as drift until someone tags it with %s.", ticket, Code("/tag "+ref+" <outcome>"))
	case key == "":
		return fmt.Sprintf("%s untagged (was %s). It now counts as drift.", ticket, Code(prev))
	case prev == key:
		return fmt.Sprintf("%s → %s (already tagged; note kept in the history).", ticket, Code(key))
	case prev != "":
		return fmt.Sprintf("%s → %s (re-tagged from %s).", ticket, Code(key), Code(prev))
	}
	return fmt.Sprintf("%s → %s", ticket, Code(key))
}

func (c *Core) showRequest(ctx context.Context, req Request, ref string) (Response, error) {
	r, err := c.store.GetRequest(ctx, req.Workspace, ref)
	if errors.Is(err, record.ErrNotFound) {
		return Response{Text: fmt.Sprintf("%s has not been tagged yet. Tag it with %s.", c.TicketText(ref), Code("/tag "+ref+" <outcome-key>"))}, nil
	}
	if err != nil {
		return Response{}, err
	}
	outcome := "no outcome (drift)"
	if r.Outcome != "" {
		outcome = Code(r.Outcome)
	}
	resp := Response{Title: Clip(r.Title, 150), Text: fmt.Sprintf("%s → %s · %s", c.TicketText(ref), outcome, r.Status)}
	if from, ok := sourceNames[r.Source]; ok {
		resp.Text += " · from " + from
	}
	var lines []string
	for i := len(r.History) - 1; i >= 0 && len(lines) < 20; i-- {
		h := r.History[i]
		to := "untagged"
		if h.To != "" {
			to = Code(h.To)
		}
		line := fmt.Sprintf("%s %s → %s by %s", h.At.In(c.cfg.DefaultTZ).Format("2 Jan 15:04"), orDash(h.From), to, actorText(h.By))
		if h.Note != "" {
			line += ": " + Clip(h.Note, 200)
		}
		lines = append(lines, line)
	}
	if len(lines) > 0 {
		resp.Sections = ChunkLines("History (newest first)", lines)
	}
	return resp, nil
}

// sourceNames say where a request came from, by its record.Request.Source.
var sourceNames = map[string]string{
	"chat": "chat", record.SourceJira: "Jira", record.SourceServiceNow: "ServiceNow",
	record.SourceCSV: "a spreadsheet", record.SourceAPI: "the intake API",
}

// actorText names who made a tag change: a person as a mention, an intake
// source (which the store records as the actor) by its name, never as a
// mention of a user called "jira".
func actorText(by string) string {
	if name, ok := sourceNames[by]; ok && by != "chat" {
		return name
	}
	return Mention(by)
}

func orDash(key string) string {
	if key == "" {
		return "—"
	}
	return Code(key)
}

// TagRequest tags ref to the outcome key as "/tag <ref> <key>" typed by
// req's caller would (a triage pick does exactly what /tag does).
func (c *Core) TagRequest(ctx context.Context, req Request, ref, key string) (Response, error) {
	return c.tag(ctx, req, tagArgs(ref, key))
}

// tagArgs builds the parsed form of "/tag <ref> <key>" without parsing it
// (a URL reference may hold '=' that the parser would read as an option).
func tagArgs(ref, key string) Args {
	raw := ref + " " + key
	return Args{Raw: raw, Options: map[string]Token{}, Words: []Token{
		{Kind: TokenWord, Text: ref, Start: 0, End: len(ref)},
		{Kind: TokenWord, Text: key, Start: len(ref) + 1, End: len(raw)},
	}}
}
