package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"
)

// Grant gives user a role; false if they had it already (then nothing is
// written or audited). One atomic round trip.
func (s *Store) Grant(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error) {
	return s.changeRole(ctx, "grant", ws, user, role, actor, at)
}

// Revoke removes a role; false if they did not have it (then nothing is
// written or audited). One atomic round trip.
func (s *Store) Revoke(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error) {
	return s.changeRole(ctx, "revoke", ws, user, role, actor, at)
}

func (s *Store) changeRole(ctx context.Context, mode, ws, user, role, actor string, at time.Time) (bool, error) {
	op := fmt.Sprintf("%s %s to %s", mode, role, user)
	if mode == "revoke" {
		op = fmt.Sprintf("revoke %s from %s", role, user)
	}
	if err := checkWorkspace(ws); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	if user == "" || role == "" {
		return false, fmt.Errorf("%s: empty user or role", op)
	}
	k := s.keys(ws)
	v, err := s.run(ctx, ws, mode == "grant", call{
		script: scriptRole,
		keys:   []string{k.audit(), k.role(role), k.userRoles(user), k.roleIndex()},
		args:   s.auditArgs(actor, msArg(at), mode, user, role),
	})
	if err != nil {
		return false, wrap(op, err)
	}
	return v == int64(1), nil
}

// UserRoles lists the roles granted to user in the workspace, sorted.
func (s *Store) UserRoles(ctx context.Context, ws, user string) ([]string, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("roles of %s: %w", user, err)
	}
	roles, err := s.rdb.SMembers(ctx, s.keys(ws).userRoles(user)).Result()
	if err != nil {
		return nil, wrap("roles of "+user, err)
	}
	sort.Strings(roles)
	return roles, nil
}

// RoleMembers maps each role that has members to its users, sorted. Two
// round trips: the role index, then every role's members pipelined.
func (s *Store) RoleMembers(ctx context.Context, ws string) (map[string][]string, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("role members: %w", err)
	}
	k := s.keys(ws)
	roles, err := s.rdb.SMembers(ctx, k.roleIndex()).Result()
	if err != nil {
		return nil, wrap("role members", err)
	}
	cmds := make([]*redis.StringSliceCmd, len(roles))
	if len(roles) > 0 {
		_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, r := range roles {
				cmds[i] = p.SMembers(ctx, k.role(r))
			}
			return nil
		})
		if err != nil {
			return nil, wrap("role members", err)
		}
	}
	out := make(map[string][]string, len(roles))
	for i, r := range roles {
		if users := cmds[i].Val(); len(users) > 0 {
			sort.Strings(users)
			out[r] = users
		}
	}
	return out, nil
}
