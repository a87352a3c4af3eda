package commands

import (
	"context"

	"github.com/outcomebot/outcomebot/store/record"
)

// Commands returns the top-level command definitions (for help, manifests
// and tests).
func (c *Core) Commands() []Definition { return c.router.Commands() }

// newRouter declares the commands of the root grammar in one place; leaf
// packages add theirs with Register.
func (c *Core) newRouter() *Router {
	ack, resolve := c.transitionHandler(ackTransition), c.transitionHandler(resolveTransition)
	var r *Router
	r = NewRouter([]Definition{
		{Name: "outcome", Summary: "Define business outcomes and manage roles.", Example: "/outcome list", Subs: []Definition{
			{Name: "add", Usage: usageOutcomeAdd, Summary: "define an outcome", Role: record.RoleAdmin, Doing: "define outcomes", Handler: HandlerFunc(c.outcomeAdd),
				Example: `/outcome add pos-conversion "Omnichannel POS lifts in-store conversion" kpi="in-store conversion rate" it=@dev it-channel=#it-pos sla=4h`},
			{Name: "list", Usage: "/outcome list", Summary: "list outcomes", Handler: HandlerFunc(c.outcomeList)},
			{Name: "show", Usage: "/outcome show <key>", Summary: "show one outcome", Handler: HandlerFunc(c.outcomeShow)},
			{Name: "set", Usage: usageOutcomeSet, Summary: "change an outcome", Role: record.RoleAdmin, Doing: "change outcomes", Handler: HandlerFunc(c.outcomeSet)},
			{Name: "archive", Usage: "/outcome archive <key>", Summary: "archive an outcome", Role: record.RoleAdmin, Doing: "archive outcomes", Handler: HandlerFunc(c.outcomeArchive)},
			{Name: "restore", Usage: "/outcome restore <key>", Summary: "bring an archived outcome back", Role: record.RoleAdmin, Doing: "restore outcomes", Handler: HandlerFunc(c.outcomeRestore)},
			{Name: "grant", Usage: "/outcome grant @user admin|it-lead", Summary: "give a role", Role: record.RoleAdmin, Doing: "grant roles", Handler: c.grantOrRevoke(true)},
			{Name: "revoke", Usage: "/outcome revoke @user admin|it-lead", Summary: "take a role away", Role: record.RoleAdmin, Doing: "revoke roles", Handler: c.grantOrRevoke(false)},
			{Name: "roles", Usage: "/outcome roles", Summary: "who holds which role", Handler: HandlerFunc(c.listRoles)},
			{Name: "whoami", Usage: "/outcome whoami", Summary: "your user id, workspace and roles", Handler: HandlerFunc(c.whoami)},
			// /outcome help lists everything, not just /outcome.
			{Name: "help", Usage: "/outcome help", Summary: "every command",
				Handler: HandlerFunc(func(ctx context.Context, req Request, args Args) (Response, error) { return r.Help(nil), nil })},
		}},
		{Name: "tag", FreeText: 2, Usage: UsageTag, Summary: "tag, re-tag or untag a request (history kept); with only a ticket, show it", Handler: HandlerFunc(c.tag),
			Example: "/tag INC0012345 pos-conversion card readers in Leeds"},
		{Name: "escalate", FreeText: 1, Usage: usageEscalate, Summary: "raise blocked work to the outcome's IT owner", Handler: HandlerFunc(c.escalate),
			Example: "/escalate INC0012345 card payments failing in 3 stores", Subs: []Definition{
				{Name: "list", Usage: "/escalate list [mine|open|all]", Summary: "list escalations", Handler: HandlerFunc(c.escalationList)},
			}},
		{Name: "ack", FreeText: 1, Usage: ackTransition.usage, Summary: "acknowledge an escalation (it-lead or admin)", Role: record.RoleITLead, Doing: "acknowledge escalations",
			Atomic: true, Handler: ack, Example: ackTransition.example},
		{Name: "resolve", FreeText: 1, Usage: resolveTransition.usage, Summary: "resolve an escalation (it-lead or admin)", Role: record.RoleITLead, Doing: "resolve escalations",
			Atomic: true, Handler: resolve, Example: resolveTransition.example},
	}, c)
	r.HandleAction(Definition{Name: ActionAck, Role: record.RoleITLead, Doing: "acknowledge escalations", Atomic: true, Handler: ack})
	r.HandleAction(Definition{Name: ActionResolve, Role: record.RoleITLead, Doing: "resolve escalations", Atomic: true, Handler: resolve})
	return r
}

// Register adds a leaf package's commands and subcommands to the grammar
// (see Router.Register), and actions its button actions.
func (c *Core) Register(defs []Definition, actions ...Definition) {
	c.router.Register(defs...)
	for _, a := range actions {
		c.router.HandleAction(a)
	}
}

// Actions returns the registered button actions (for tests).
func (c *Core) Actions() []Definition { return c.router.Actions() }
