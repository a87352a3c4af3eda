package commands

import (
	"context"
)

// Commands returns the top-level command definitions (for help, manifests
// and tests).
func (c *Core) Commands() []Definition { return c.router.Commands() }

// newRouter declares the commands of the root grammar in one place; leaf
// packages add theirs with Register.
func (c *Core) newRouter() *Router {
	var r *Router
	r = NewRouter([]Definition{
		{Name: "outcome", Summary: "Define business outcomes and manage roles.", Example: "/outcome list", Subs: []Definition{
			// /outcome help lists everything, not just /outcome.
			{Name: "help", Usage: "/outcome help", Summary: "every command",
				Handler: HandlerFunc(func(ctx context.Context, req Request, args Args) (Response, error) { return r.Help(nil), nil })},
		}},
		{Name: "tag", FreeText: 2, Usage: UsageTag, Summary: "tag, re-tag or untag a request (history kept); with only a ticket, show it", Handler: HandlerFunc(c.tag),
			Example: "/tag INC0012345 pos-conversion card readers in Leeds"},
	}, c)
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
