package commands

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/outcomebot/outcomebot/store/record"
)

// RolesOf returns the caller's roles in the request's workspace: configured
// admins are admins everywhere, the rest comes from the store.
func (c *Core) RolesOf(ctx context.Context, ws, user string) ([]string, error) {
	roles, err := c.store.UserRoles(ctx, ws, user)
	if err != nil {
		return nil, err
	}
	if c.admins[user] && !slices.Contains(roles, record.RoleAdmin) {
		roles = append(roles, record.RoleAdmin)
	}
	sort.Strings(roles)
	return roles, nil
}

// Authorize checks the caller holds role (admins always pass); it is the
// router's check of every Definition's Role.
func (c *Core) Authorize(ctx context.Context, req Request, role, doing string) error {
	if role == record.RoleAdmin {
		return c.require(ctx, req, doing)
	}
	return c.require(ctx, req, doing, role)
}

// Need returns the roles an atomic store operation must check for req's
// caller to act with role: nil for a configured admin, who needs no check.
func (c *Core) Need(req Request, role string) []string {
	if c.admins[req.User] {
		return nil
	}
	if role == record.RoleAdmin {
		return []string{record.RoleAdmin}
	}
	return []string{role, record.RoleAdmin}
}

// Require checks the caller holds one of the roles (admin always passes) and
// otherwise explains which role is needed and who can grant it. The router
// calls it for every Definition's Role; a handler calls it only for a check
// that depends on more than the command's form.
func (c *Core) Require(ctx context.Context, req Request, what string, roles ...string) error {
	return c.require(ctx, req, what, roles...)
}

// require checks the caller holds one of the roles (admin always passes) and
// otherwise explains which role is needed and who can grant it.
func (c *Core) require(ctx context.Context, req Request, what string, roles ...string) error {
	if c.admins[req.User] {
		return nil // configured admins pass without a Redis read
	}
	have, err := c.RolesOf(ctx, req.Workspace, req.User)
	if err != nil {
		return err
	}
	for _, r := range have {
		if r == record.RoleAdmin || slices.Contains(roles, r) {
			return nil
		}
	}
	return c.Forbidden(ctx, req, what, roles...)
}

// Forbidden explains which role is needed to do what, and who can grant it.
func (c *Core) Forbidden(ctx context.Context, req Request, what string, roles ...string) error {
	need := strings.Join(append(roles, record.RoleAdmin), " or ")
	if len(roles) == 0 {
		need = record.RoleAdmin
	}
	grant := record.RoleAdmin
	if len(roles) > 0 {
		grant = roles[0]
	}
	return Userf("You need the %s role to %s. %s", need, what, c.whoCanGrant(ctx, req, grant))
}

// whoCanGrant names the admins who can grant roles, and the command that
// grants role to req's caller.
func (c *Core) whoCanGrant(ctx context.Context, req Request, role string) string {
	admins := c.AdminMentions(ctx, req.Workspace)
	if admins == "" {
		return "No admin is set up yet: ask whoever runs outcomebot to add your user id (see `/outcome whoami`) to OUTCOMEBOT_ADMINS."
	}
	name := req.UserName
	if name == "" {
		name = req.User
	}
	return "An admin (" + admins + ") can grant it with " + Code("/outcome grant @"+name+" "+role) + "."
}

// AdminMentions names up to five of ws's admins, configured ones included,
// for a refusal ("@ann, @bob, …"); "" when there is none.
func (c *Core) AdminMentions(ctx context.Context, ws string) string {
	admins := append([]string(nil), c.cfg.Admins...)
	if members, err := c.store.RoleMembers(ctx, ws); err == nil {
		admins = append(admins, members[record.RoleAdmin]...)
	}
	sort.Strings(admins)
	admins = slices.Compact(admins)
	var ms []string
	for i, a := range admins {
		if i == 5 {
			ms = append(ms, "…")
			break
		}
		ms = append(ms, Mention(a))
	}
	return strings.Join(ms, ", ")
}

// IsConfiguredAdmin reports whether user is an admin through
// OUTCOMEBOT_ADMINS (Config.Admins): such a role cannot be revoked in chat.
func (c *Core) IsConfiguredAdmin(user string) bool { return c.admins[user] }
