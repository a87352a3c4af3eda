package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// Slack adapter state: installations (one bot token per workspace, sealed by
// the adapter before it gets here), Events API delivery ids for
// deduplication, and OAuth state values for CSRF checks.
//
// Key formats (kept here, beside the operations that own them):
//
//	<prefix>:{<ws>}:slack:install         hash: token (sealed bytes), team, bot_user, by, at
//	<prefix>:{<ws>}:slack:event:<id>      string "1", expires; one per Events API event_id
//	<prefix>:slackoauth:<state>           string "1", expires; an OAuth state not yet used
//
// "slack:" is a fixed name that no other workspace key starts with. The OAuth
// state key lives outside any workspace because the workspace is not known
// until the install completes.

// SlackInstall is a workspace's Slack installation. The store never sees
// the bot token in clear: SealedToken is encrypted by the adapter.
type SlackInstall struct {
	Workspace   string // team id, or enterprise id for an org-wide install
	TeamName    string
	BotUserID   string
	InstalledBy string
	InstalledAt time.Time
	SealedToken []byte
}

func (k keyspace) slackInstall() string           { return k.base + "slack:install" }
func (k keyspace) slackEvent(id string) string    { return k.base + "slack:event:" + id }
func (s *Store) slackOAuthState(st string) string { return s.prefix + ":slackoauth:" + st }

// errBadSlackID rejects an empty event id or OAuth state.
var errBadSlackID = errors.New("invalid id")

// SaveSlackInstall stores (or replaces) a workspace's installation.
func (s *Store) SaveSlackInstall(ctx context.Context, in SlackInstall) error {
	if err := checkWorkspace(in.Workspace); err != nil {
		return wrap("save slack install", err)
	}
	if len(in.SealedToken) == 0 {
		return wrap("save slack install", errors.New("empty token"))
	}
	key := s.keys(in.Workspace).slackInstall()
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		p.HSet(ctx, key,
			"token", in.SealedToken,
			"team", in.TeamName,
			"bot_user", in.BotUserID,
			"by", in.InstalledBy,
			"at", msArg(in.InstalledAt))
		return nil
	})
	return wrap("save slack install "+in.Workspace, err)
}

// SlackInstall reads a workspace's installation; ErrNotFound if the app
// was never installed there through OAuth (or was uninstalled).
func (s *Store) SlackInstall(ctx context.Context, ws string) (SlackInstall, error) {
	if err := checkWorkspace(ws); err != nil {
		return SlackInstall{}, wrap("read slack install", err)
	}
	m, err := s.rdb.HGetAll(ctx, s.keys(ws).slackInstall()).Result()
	if err != nil {
		return SlackInstall{}, wrap("read slack install "+ws, err)
	}
	if m["token"] == "" {
		return SlackInstall{}, wrap("read slack install "+ws, record.ErrNotFound)
	}
	return SlackInstall{
		Workspace:   ws,
		TeamName:    m["team"],
		BotUserID:   m["bot_user"],
		InstalledBy: m["by"],
		InstalledAt: fromMS(m["at"]),
		SealedToken: []byte(m["token"]),
	}, nil
}

// DeleteSlackInstall forgets a workspace's installation (app uninstalled or
// token revoked); false if there was none.
func (s *Store) DeleteSlackInstall(ctx context.Context, ws string) (bool, error) {
	if err := checkWorkspace(ws); err != nil {
		return false, wrap("delete slack install", err)
	}
	n, err := s.rdb.Del(ctx, s.keys(ws).slackInstall()).Result()
	if err != nil {
		return false, wrap("delete slack install "+ws, err)
	}
	return n > 0, nil
}

// ClaimSlackEvent records an Events API event id for ttl in one round trip
// (SET NX) and reports whether this caller is the first to see it. A
// retried delivery of the same event gets false and must not act again.
func (s *Store) ClaimSlackEvent(ctx context.Context, ws, eventID string, ttl time.Duration) (bool, error) {
	if err := checkWorkspace(ws); err != nil {
		return false, wrap("claim slack event", err)
	}
	if eventID == "" {
		return false, wrap("claim slack event", errBadSlackID)
	}
	ok, err := s.rdb.SetNX(ctx, s.keys(ws).slackEvent(eventID), "1", ttl).Result()
	if err != nil {
		return false, wrap("claim slack event "+eventID, err)
	}
	return ok, nil
}

// PutSlackOAuthState remembers an OAuth state value for ttl.
func (s *Store) PutSlackOAuthState(ctx context.Context, state string, ttl time.Duration) error {
	if state == "" || strings.ContainsAny(state, "{}") {
		return wrap("put slack oauth state", errBadSlackID)
	}
	err := s.rdb.Set(ctx, s.slackOAuthState(state), "1", ttl).Err()
	return wrap("put slack oauth state", err)
}

// TakeSlackOAuthState consumes an OAuth state value in one round trip
// (GETDEL) and reports whether it was known and unexpired. Each state can be
// taken once.
func (s *Store) TakeSlackOAuthState(ctx context.Context, state string) (bool, error) {
	if state == "" || strings.ContainsAny(state, "{}") {
		return false, nil
	}
	err := s.rdb.GetDel(ctx, s.slackOAuthState(state)).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, wrap("take slack oauth state", err)
	}
	return true, nil
}
