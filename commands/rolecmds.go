package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/outcomebot/outcomebot/store/record"
)

func (c *Core) grantOrRevoke(grant bool) HandlerFunc {
	usage := "/outcome revoke @user admin|it-lead"
	if grant {
		usage = "/outcome grant @user admin|it-lead"
	}
	return func(ctx context.Context, req Request, args Args) (Response, error) {
		who, ok := args.Word(0)
		role, ok2 := args.Word(1)
		if !ok || !ok2 || len(args.Words) > 2 || len(args.Order) > 0 {
			return Response{}, Userf("Usage: %s", Code(usage))
		}
		user, err := userArg(who, "the user")
		if err != nil {
			return Response{}, err
		}
		r, err := validRole(role.Text)
		if err != nil {
			return Response{}, err
		}
		if grant {
			return c.grant(ctx, req, user, r)
		}
		return c.revoke(ctx, req, user, r)
	}
}

func (c *Core) grant(ctx context.Context, req Request, user, role string) (Response, error) {
	added, err := c.store.Grant(ctx, req.Workspace, user, role, req.User, req.Time)
	if err != nil {
		return Response{}, err
	}
	if !added {
		return Response{Text: fmt.Sprintf("%s already has the %s role.", Mention(user), role)}, nil
	}
	return Response{Text: fmt.Sprintf("%s now has the %s role.", Mention(user), role)}, nil
}

func (c *Core) revoke(ctx context.Context, req Request, user, role string) (Response, error) {
	if role == record.RoleAdmin && c.admins[user] {
		return Response{}, Userf("%s is an admin through OUTCOMEBOT_ADMINS; remove them there instead.", Mention(user))
	}
	removed, err := c.store.Revoke(ctx, req.Workspace, user, role, req.User, req.Time)
	if err != nil {
		return Response{}, err
	}
	if !removed {
		return Response{Text: fmt.Sprintf("%s did not have the %s role; nothing changed.", Mention(user), role)}, nil
	}
	return Response{Text: fmt.Sprintf("%s no longer has the %s role.", Mention(user), role)}, nil
}

func (c *Core) listRoles(ctx context.Context, req Request, args Args) (Response, error) {
	members, err := c.store.RoleMembers(ctx, req.Workspace)
	if err != nil {
		return Response{}, err
	}
	resp := Response{Title: "Roles in this workspace"}
	for _, role := range []string{record.RoleAdmin, record.RoleITLead} {
		var ms []string
		for _, u := range members[role] {
			ms = append(ms, Mention(u))
		}
		if role == record.RoleAdmin {
			for _, u := range c.cfg.Admins {
				ms = append(ms, Mention(u)+" (configured)")
			}
		}
		sort.Strings(ms)
		text := "nobody yet"
		if len(ms) > 0 {
			text = strings.Join(ms, ", ")
		}
		resp.Sections = append(resp.Sections, Section{Title: role, Text: text})
	}
	return resp, nil
}

func (c *Core) whoami(ctx context.Context, req Request, args Args) (Response, error) {
	roles, err := c.rolesOf(ctx, req.Workspace, req.User)
	if err != nil {
		return Response{}, err
	}
	rs := "member (no role)"
	if len(roles) > 0 {
		rs = strings.Join(roles, ", ")
	}
	return Response{Text: fmt.Sprintf("You are %s (user id %s) in workspace %s, channel %s. Roles: %s.",
		Mention(req.User), Code(req.User), Code(req.Workspace), Code(req.Channel), rs)}, nil
}
