package outcome

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

func (c *Outcomes) grantOrRevoke(grant bool) commands.HandlerFunc {
	usage := "/outcome revoke @user admin|it-lead"
	if grant {
		usage = "/outcome grant @user admin|it-lead"
	}
	return func(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
		who, ok := args.Word(0)
		role, ok2 := args.Word(1)
		if !ok || !ok2 || len(args.Words) > 2 || len(args.Order) > 0 {
			return commands.Response{}, commands.Userf("Usage: %s", commands.Code(usage))
		}
		user, err := userArg(who, "the user")
		if err != nil {
			return commands.Response{}, err
		}
		r, err := validRole(role.Text)
		if err != nil {
			return commands.Response{}, err
		}
		if grant {
			return c.grant(ctx, req, user, r)
		}
		return c.revoke(ctx, req, user, r)
	}
}

func (c *Outcomes) grant(ctx context.Context, req commands.Request, user, role string) (commands.Response, error) {
	added, err := c.store.Grant(ctx, req.Workspace, user, role, req.User, req.Time)
	if err != nil {
		return commands.Response{}, err
	}
	if !added {
		return commands.Response{Text: fmt.Sprintf("%s already has the %s role.", commands.Mention(user), role)}, nil
	}
	return commands.Response{Text: fmt.Sprintf("%s now has the %s role.", commands.Mention(user), role)}, nil
}

func (c *Outcomes) revoke(ctx context.Context, req commands.Request, user, role string) (commands.Response, error) {
	if role == record.RoleAdmin && c.core.IsConfiguredAdmin(user) {
		return commands.Response{}, commands.Userf("%s is an admin through OUTCOMEBOT_ADMINS; remove them there instead.", commands.Mention(user))
	}
	removed, err := c.store.Revoke(ctx, req.Workspace, user, role, req.User, req.Time)
	if err != nil {
		return commands.Response{}, err
	}
	if !removed {
		return commands.Response{Text: fmt.Sprintf("%s did not have the %s role; nothing changed.", commands.Mention(user), role)}, nil
	}
	warn := c.strandedWarning(ctx, req)
	return commands.Response{Text: fmt.Sprintf("%s no longer has the %s role.%s", commands.Mention(user), role, warn)}, nil
}

func (c *Outcomes) listRoles(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	members, err := c.store.RoleMembers(ctx, req.Workspace)
	if err != nil {
		return commands.Response{}, err
	}
	resp := commands.Response{Title: "Roles in this workspace"}
	for _, role := range []string{record.RoleAdmin, record.RoleITLead} {
		var ms []string
		for _, u := range members[role] {
			ms = append(ms, commands.Mention(u))
		}
		if role == record.RoleAdmin {
			for _, u := range c.cfg.Admins {
				ms = append(ms, commands.Mention(u)+" (configured)")
			}
		}
		sort.Strings(ms)
		text := "nobody yet"
		if len(ms) > 0 {
			text = strings.Join(ms, ", ")
		}
		resp.Sections = append(resp.Sections, commands.Section{Title: role, Text: text})
	}
	return resp, nil
}

func (c *Outcomes) whoami(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	roles, err := c.core.RolesOf(ctx, req.Workspace, req.User)
	if err != nil {
		return commands.Response{}, err
	}
	rs := "member (no role)"
	if len(roles) > 0 {
		rs = strings.Join(roles, ", ")
	}
	return commands.Response{Text: fmt.Sprintf("You are %s (user id %s) in workspace %s, channel %s. Roles: %s.",
		commands.Mention(req.User), commands.Code(req.User), commands.Code(req.Workspace), commands.Code(req.Channel), rs)}, nil
}
