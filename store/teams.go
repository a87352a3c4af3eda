package store

// Teams state: the conversation references the Teams adapter needs to post
// proactively (escalation cards, reminders, digests) after a restart, and
// the display names and ids of the users it has seen, so a mention can be
// rendered without asking the Bot Connector again.
//
// Key formats (kept here, beside the operations that own them, like
// slack.go's; one hash per workspace, so a workspace's Teams state shares
// its Redis Cluster slot with the rest of the workspace):
//
//	<prefix>:{<tenant>}:teams:conv   hash: conversation id → JSON TeamsConversation
//	<prefix>:{<tenant>}:teams:user   hash: user id or aad object id → JSON TeamsUser
//	<prefix>:{<tenant>}:teams:dm     hash: user id or aad object id → id of the
//	                                   bot's personal chat with that user
//
// "teams:" is a fixed name that no other workspace key starts with.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// TeamsConversation is a stored Bot Framework conversation reference: what
// the Teams adapter needs to post into a conversation without an inbound
// activity to answer.
type TeamsConversation struct {
	// ID is the conversation id without any ";messageid=" thread suffix.
	ID string `json:"id"`
	// Name is the channel's or chat's display name, when Teams sends one.
	Name string `json:"name,omitempty"`
	// ServiceURL is the Bot Connector endpoint for the conversation, taken
	// only from authenticated activities.
	ServiceURL string `json:"serviceUrl"`
	TenantID   string `json:"tenantId"`
	// Type is "personal", "groupChat" or "channel".
	Type    string `json:"type,omitempty"`
	BotID   string `json:"botId"`
	BotName string `json:"botName,omitempty"`
	// ChannelID is the Bot Framework channel, "msteams".
	ChannelID string    `json:"channelId"`
	TeamID    string    `json:"teamId,omitempty"`
	Updated   time.Time `json:"updated"`
}

// TeamsUser is a Teams user as the adapter last saw them.
type TeamsUser struct {
	// ID is the Bot Framework user id ("29:…").
	ID string `json:"id,omitempty"`
	// AADObjectID is the Microsoft Entra object id, the identity the core uses.
	AADObjectID string `json:"aadObjectId,omitempty"`
	Name        string `json:"name,omitempty"`
}

func (k keyspace) teamsConversations() string { return k.base + "teams:conv" }
func (k keyspace) teamsUsers() string         { return k.base + "teams:user" }
func (k keyspace) teamsPersonalChats() string { return k.base + "teams:dm" }

// SaveTeamsActivity records, in one round trip, the conversation reference
// conv and the users seen in an authenticated activity. Users are stored
// under both their ids so either finds them; a user without a name does not
// overwrite a stored name. When conv is a personal chat (Type "personal"),
// it is also remembered as the bot's personal chat with each of users
// (named or not), so a direct message can reach them (GetTeamsPersonalChat).
func (s *Store) SaveTeamsActivity(ctx context.Context, ws string, conv TeamsConversation, users ...TeamsUser) error {
	op := "save teams conversation " + conv.ID
	if err := checkWorkspace(ws); err != nil {
		return wrap(op, err)
	}
	if conv.ID == "" || conv.ServiceURL == "" {
		return wrap(op, errors.New("conversation id and service url are required"))
	}
	convJSON, err := json.Marshal(conv)
	if err != nil {
		return wrap(op, err)
	}
	fields := make([]any, 0, 4*len(users))
	var dms []any
	for _, u := range users {
		if conv.Type == "personal" {
			for _, id := range []string{u.ID, u.AADObjectID} {
				if id != "" {
					dms = append(dms, id, conv.ID)
				}
			}
		}
		if u.Name == "" || (u.ID == "" && u.AADObjectID == "") {
			continue
		}
		b, err := json.Marshal(u)
		if err != nil {
			return wrap(op, err)
		}
		for _, id := range []string{u.ID, u.AADObjectID} {
			if id != "" {
				fields = append(fields, id, string(b))
			}
		}
	}
	k := s.keys(ws)
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k.teamsConversations(), conv.ID, string(convJSON))
		if len(fields) > 0 {
			p.HSet(ctx, k.teamsUsers(), fields...)
		}
		if len(dms) > 0 {
			p.HSet(ctx, k.teamsPersonalChats(), dms...)
		}
		return nil
	})
	return wrap(op, err)
}

// ForgetTeamsConversations deletes the stored references of conversations
// ids and, when teamID is set, of every conversation of that team (its
// channels): the bot was uninstalled or removed there, so nothing should be
// posted to them any more. It returns how many were deleted.
func (s *Store) ForgetTeamsConversations(ctx context.Context, ws, teamID string, ids ...string) (int, error) {
	op := "forget teams conversations"
	if err := checkWorkspace(ws); err != nil {
		return 0, wrap(op, err)
	}
	k := s.keys(ws)
	// The named conversations go whatever they hold; the team's others only
	// if unchanged since read, so a re-install saved in between stays.
	args := make([]any, 0, 2*len(ids))
	for _, id := range ids {
		args = append(args, id, "")
	}
	if teamID != "" {
		all, err := s.rdb.HGetAll(ctx, k.teamsConversations()).Result()
		if err != nil {
			return 0, wrap(op, err)
		}
		for id, raw := range all {
			var c TeamsConversation
			if json.Unmarshal([]byte(raw), &c) == nil && c.TeamID == teamID && !slices.Contains(ids, id) {
				args = append(args, id, raw)
			}
		}
	}
	if len(args) == 0 {
		return 0, nil
	}
	v, err := s.run(ctx, ws, false, call{script: forgetIfUnchanged, keys: []string{k.teamsConversations()}, args: args})
	if err != nil {
		return 0, wrap(op, err)
	}
	n, _ := v.(int64)
	return int(n), nil
}

// forgetIfUnchanged deletes from hash KEYS[1] each field ARGV[i] whose
// value is still ARGV[i+1] ("" deletes it whatever it holds); it returns
// how many went.
var forgetIfUnchanged = redis.NewScript(`
local n = 0
for i = 1, #ARGV, 2 do
  if ARGV[i + 1] == '' or redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    n = n + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return n`)

// GetTeamsConversation reads the stored reference of conversation id;
// ErrNotFound if the bot has never seen it.
func (s *Store) GetTeamsConversation(ctx context.Context, ws, id string) (TeamsConversation, error) {
	var c TeamsConversation
	if err := s.getTeamsJSON(ctx, ws, s.keys(ws).teamsConversations(), id, &c); err != nil {
		return TeamsConversation{}, wrap("get teams conversation "+id, err)
	}
	return c, nil
}

// GetTeamsPersonalChat reads the reference of the bot's personal chat with
// a user (by Bot Framework id or aad object id); ErrNotFound if the bot has
// none, or its reference was forgotten (the app was removed there).
func (s *Store) GetTeamsPersonalChat(ctx context.Context, ws, user string) (TeamsConversation, error) {
	op := "get teams personal chat of " + user
	if err := checkWorkspace(ws); err != nil {
		return TeamsConversation{}, wrap(op, err)
	}
	id, err := s.rdb.HGet(ctx, s.keys(ws).teamsPersonalChats(), user).Result()
	if errors.Is(err, redis.Nil) {
		return TeamsConversation{}, wrap(op, record.ErrNotFound)
	}
	if err != nil {
		return TeamsConversation{}, wrap(op, err)
	}
	var c TeamsConversation
	if err := s.getTeamsJSON(ctx, ws, s.keys(ws).teamsConversations(), id, &c); err != nil {
		return TeamsConversation{}, wrap(op, err)
	}
	return c, nil
}

// LatestTeamsConversation returns the most recently refreshed conversation
// reference of a tenant: its service URL and bot account are what creating
// a new conversation there needs. ErrNotFound if the bot knows none.
func (s *Store) LatestTeamsConversation(ctx context.Context, ws string) (TeamsConversation, error) {
	op := "latest teams conversation"
	if err := checkWorkspace(ws); err != nil {
		return TeamsConversation{}, wrap(op, err)
	}
	all, err := s.rdb.HGetAll(ctx, s.keys(ws).teamsConversations()).Result()
	if err != nil {
		return TeamsConversation{}, wrap(op, err)
	}
	var best TeamsConversation
	for _, raw := range all {
		var c TeamsConversation
		if json.Unmarshal([]byte(raw), &c) != nil || c.ServiceURL == "" {
			continue
		}
		if best.ID == "" || c.Updated.After(best.Updated) || (c.Updated.Equal(best.Updated) && c.ID < best.ID) {
			best = c
		}
	}
	if best.ID == "" {
		return TeamsConversation{}, wrap(op, record.ErrNotFound)
	}
	return best, nil
}

// SaveTeamsUser records a user learned from a member lookup.
func (s *Store) SaveTeamsUser(ctx context.Context, ws string, u TeamsUser) error {
	op := "save teams user " + u.ID
	if err := checkWorkspace(ws); err != nil {
		return wrap(op, err)
	}
	if u.Name == "" || (u.ID == "" && u.AADObjectID == "") {
		return nil
	}
	b, err := json.Marshal(u)
	if err != nil {
		return wrap(op, err)
	}
	var fields []any
	for _, id := range []string{u.ID, u.AADObjectID} {
		if id != "" {
			fields = append(fields, id, string(b))
		}
	}
	return wrap(op, s.rdb.HSet(ctx, s.keys(ws).teamsUsers(), fields...).Err())
}

// GetTeamsUser reads a user by Bot Framework id or aad object id;
// ErrNotFound if unknown.
func (s *Store) GetTeamsUser(ctx context.Context, ws, id string) (TeamsUser, error) {
	var u TeamsUser
	if err := s.getTeamsJSON(ctx, ws, s.keys(ws).teamsUsers(), id, &u); err != nil {
		return TeamsUser{}, wrap("get teams user "+id, err)
	}
	return u, nil
}

// GetTeamsUsers returns the users of ws the bot has seen among ids, by id,
// in one round trip (HMGET); ids never seen are absent.
func (s *Store) GetTeamsUsers(ctx context.Context, ws string, ids []string) (map[string]TeamsUser, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, err
	}
	out := make(map[string]TeamsUser, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	vals, err := s.rdb.HMGet(ctx, s.keys(ws).teamsUsers(), ids...).Result()
	if err != nil {
		return nil, wrap("get teams users", err)
	}
	for i, v := range vals {
		raw, ok := v.(string)
		var u TeamsUser
		if ok && json.Unmarshal([]byte(raw), &u) == nil {
			out[ids[i]] = u
		}
	}
	return out, nil
}

// getTeamsJSON reads one JSON field of a Teams hash; ErrNotFound if absent.
func (s *Store) getTeamsJSON(ctx context.Context, ws, key, field string, v any) error {
	if err := checkWorkspace(ws); err != nil {
		return err
	}
	raw, err := s.rdb.HGet(ctx, key, field).Result()
	if errors.Is(err, redis.Nil) {
		return record.ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}
