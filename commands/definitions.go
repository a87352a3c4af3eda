package commands

import (
	"context"

	"github.com/outcomebot/outcomebot/store/record"
)

// Commands returns the top-level command definitions (for help, manifests
// and tests).
func (c *Core) Commands() []Definition { return c.router.Commands() }

// newRouter declares every command of the grammar in one place.
func (c *Core) newRouter() *Router {
	ack, resolve := c.transitionHandler(ackTransition), c.transitionHandler(resolveTransition)
	var r *Router
	// /digest alone previews; /digest <word> must be one of its subcommands.
	digest := HandlerFunc(func(ctx context.Context, req Request, args Args) (Response, error) {
		if w, ok := args.Word(0); ok {
			return Response{}, Userf("Unknown subcommand `%s` for /digest. %s", clip(w.Text, 40), subList(r.byName["digest"]))
		}
		return c.digestPreview(ctx, req, args)
	})
	r = NewRouter([]Definition{
		{Name: "outcome", Summary: "Define business outcomes and manage roles.", Example: "/outcome list", Subs: []Definition{
			{Name: "add", Usage: usageOutcomeAdd, Summary: "define an outcome", Role: record.RoleAdmin, Handler: HandlerFunc(c.outcomeAdd),
				Example: `/outcome add pos-conversion "Omnichannel POS lifts in-store conversion" kpi="in-store conversion rate" it=@dev it-channel=#it-pos sla=4h`},
			{Name: "list", Usage: "/outcome list", Summary: "list outcomes", Handler: HandlerFunc(c.outcomeList)},
			{Name: "show", Usage: "/outcome show <key>", Summary: "show one outcome", Handler: HandlerFunc(c.outcomeShow)},
			{Name: "set", Usage: usageOutcomeSet, Summary: "change an outcome", Role: record.RoleAdmin, Handler: HandlerFunc(c.outcomeSet)},
			{Name: "archive", Usage: "/outcome archive <key>", Summary: "archive an outcome", Role: record.RoleAdmin, Handler: HandlerFunc(c.outcomeArchive)},
			{Name: "restore", Usage: "/outcome restore <key>", Summary: "bring an archived outcome back", Role: record.RoleAdmin, Handler: HandlerFunc(c.outcomeRestore)},
			{Name: "grant", Usage: "/outcome grant @user admin|it-lead", Summary: "give a role", Role: record.RoleAdmin, Handler: c.grantOrRevoke(true)},
			{Name: "revoke", Usage: "/outcome revoke @user admin|it-lead", Summary: "take a role away", Role: record.RoleAdmin, Handler: c.grantOrRevoke(false)},
			{Name: "roles", Usage: "/outcome roles", Summary: "who holds which role", Handler: HandlerFunc(c.listRoles)},
			{Name: "whoami", Usage: "/outcome whoami", Summary: "your user id, workspace and roles", Handler: HandlerFunc(c.whoami)},
			{Name: "triage", Usage: usageTriage, Summary: "where the weekly triage of untagged requests goes (admin to change)", Handler: HandlerFunc(c.triageSettings)},
		}},
		{Name: "tag", FreeText: 2, Usage: usageTag, Summary: "tag, re-tag or untag a request (history kept); with only a ticket, show it", Handler: HandlerFunc(c.tag),
			Example: "/tag INC0012345 pos-conversion card readers in Leeds"},
		{Name: "escalate", FreeText: 1, Usage: usageEscalate, Summary: "raise blocked work to the outcome's IT owner", Handler: HandlerFunc(c.escalate),
			Example: "/escalate INC0012345 card payments failing in 3 stores", Subs: []Definition{
				{Name: "list", Usage: "/escalate list [mine|open|all]", Summary: "list escalations", Handler: HandlerFunc(c.escalationList)},
			}},
		{Name: "ack", FreeText: 1, Usage: ackTransition.usage, Summary: "acknowledge an escalation (it-lead or admin)", Role: record.RoleITLead, Handler: ack, Example: ackTransition.example},
		{Name: "resolve", FreeText: 1, Usage: resolveTransition.usage, Summary: "resolve an escalation (it-lead or admin)", Role: record.RoleITLead, Handler: resolve, Example: resolveTransition.example},
		{Name: "digest", Usage: "/digest [preview]", Summary: "this channel's weekly digest, now, only to you", Handler: digest, Subs: []Definition{
			{Name: "preview", Usage: "/digest preview", Summary: "this channel's digest, now, only to you", Handler: HandlerFunc(c.digestPreview)},
			{Name: "subscribe", Usage: usageSubscribe, Summary: "post the weekly digest in this channel", Role: record.RoleAdmin, Handler: HandlerFunc(c.digestSubscribe)},
			{Name: "unsubscribe", Usage: "/digest unsubscribe", Summary: "stop the weekly digest here", Role: record.RoleAdmin, Handler: HandlerFunc(c.digestUnsubscribe)},
			{Name: "status", Usage: "/digest status", Summary: "subscription, next post and last post", Handler: HandlerFunc(c.digestStatus)},
		}},
	})
	r.HandleAction(ActionAck, ack)
	r.HandleAction(ActionResolve, resolve)
	r.HandleAction(ActionTriage, HandlerFunc(c.triagePick))
	// /outcome help lists everything, not just /outcome.
	outcome := r.byName["outcome"]
	outcome.Subs = append(outcome.Subs, Definition{Name: "help", Usage: "/outcome help", Summary: "every command",
		Handler: HandlerFunc(func(ctx context.Context, req Request, args Args) (Response, error) { return r.Help(nil), nil })})
	return r
}
