package teams

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// Lookup settings.
const (
	// lookupTimeout bounds one member lookup.
	lookupTimeout = 5 * time.Second
	// maxLookups bounds member lookups while rendering one message.
	maxLookups = 16
	// missTTL is how long a failed member lookup is not repeated.
	missTTL = 10 * time.Minute
)

// memberScope is the conversation whose members include the people of a
// conversation: the team for a channel, else the conversation itself.
func memberScope(teamID, conversation string) string {
	if teamID != "" {
		return teamID
	}
	return baseConversation(conversation)
}

// directory resolves the users and channels a set of Responses names: a
// user's display name (and Bot Framework id, for the mention entity) from
// what the bot has seen in activities, else from the connector's member
// lookup in scope (see memberScope), else the id itself.
func (a *Adapter) directory(ctx context.Context, ws, serviceURL, scope string, resps []commands.Response) directory {
	users, channels := targets(resps)
	dir := directory{People: map[string]person{}, Channels: map[string]string{}}
	lookups := 0
	seen, err := a.store.GetTeamsUsers(ctx, ws, users) // one round trip for everyone named
	if err != nil {
		a.log.Warn("teams: read users seen", "workspace", ws, "err", err)
	}
	for _, id := range users {
		if u, ok := seen[id]; ok {
			dir.People[id] = personOf(u, id)
			continue
		}
		if lookups >= maxLookups || a.misses.recent(ws+"\x00"+id, a.now()) {
			continue
		}
		lookups++
		if u, ok := a.lookupMember(ctx, ws, serviceURL, scope, id); ok {
			dir.People[id] = personOf(u, id)
		}
	}
	for _, id := range channels {
		if c, err := a.store.GetTeamsConversation(ctx, ws, baseConversation(id)); err == nil && c.Name != "" {
			dir.Channels[id] = c.Name
		}
	}
	return dir
}

func personOf(u store.TeamsUser, id string) person {
	p := person{MentionID: id, Name: u.Name}
	if strings.HasPrefix(u.ID, "29:") {
		p.MentionID = u.ID
	}
	return p
}

// lookupMember asks the connector for a member of scope (a team or a
// conversation) by Bot Framework id or aad object id, and remembers the
// answer.
func (a *Adapter) lookupMember(ctx context.Context, ws, serviceURL, scope, id string) (store.TeamsUser, bool) {
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	m, err := a.conn.Member(lctx, serviceURL, scope, id)
	if err != nil || m.Name == "" {
		a.misses.add(ws+"\x00"+id, a.now().Add(missTTL))
		a.log.Warn("teams: member lookup failed", "workspace", ws, "member", id, "err", err)
		return store.TeamsUser{}, false
	}
	u := store.TeamsUser{ID: m.ID, AADObjectID: m.AadObjectID, Name: m.Name}
	if err := a.store.SaveTeamsUser(ctx, ws, u); err != nil {
		a.log.Warn("teams: save member", "workspace", ws, "err", err)
	}
	return u, true
}

// mentionResolver resolves a user mentioned in a command to the identity
// the core knows them by (aad object id) and a name. Unknown to the store,
// the connector's member lookup gives the aad object id; failing that the
// Bot Framework id is used, and a warning logged, since it will not match
// the identity the user has when they act themselves.
func (a *Adapter) mentionResolver(act inboundActivity, log *slog.Logger) mentionResolver {
	ws := act.tenant()
	return func(ctx context.Context, acc schema.ChannelAccount) (string, string) {
		if acc.AadObjectID != "" {
			return acc.AadObjectID, acc.Name
		}
		if u, err := a.store.GetTeamsUser(ctx, ws, acc.ID); err == nil && u.AADObjectID != "" {
			return u.AADObjectID, u.Name
		}
		scope := memberScope(nestedString(act.ChannelData, "team", "id"), act.Conversation.ID)
		if u, ok := a.lookupMember(ctx, ws, act.ServiceURL, scope, acc.ID); ok && u.AADObjectID != "" {
			return u.AADObjectID, u.Name
		}
		log.Warn("teams: mentioned user has no known aad object id; using the Bot Framework id", "member", acc.ID)
		return acc.ID, acc.Name
	}
}

// targets lists, once each and in order, the user and channel ids the
// Responses' markup refers to.
func targets(resps []commands.Response) (users, channels []string) {
	seen := map[string]bool{}
	scan := func(s string) {
		for _, sp := range commands.Spans(s) {
			kind := sp.Kind
			if kind == commands.SpanName {
				kind = commands.SpanUser // one lookup serves a mention and a name
			}
			key := string(kind) + sp.Target
			if sp.Target == "" || seen[key] {
				continue
			}
			seen[key] = true
			switch sp.Kind {
			case commands.SpanUser, commands.SpanName:
				users = append(users, sp.Target)
			case commands.SpanChannel:
				channels = append(channels, sp.Target)
			}
		}
	}
	var walk func(r commands.Response)
	walk = func(r commands.Response) {
		scan(r.Title)
		scan(r.Text)
		scan(r.Context)
		for _, s := range r.Sections {
			scan(s.Title)
			scan(s.Text)
			for _, f := range s.Fields {
				scan(f.Label)
				scan(f.Value)
			}
		}
		for _, id := range r.Actors {
			scan(commands.Mention(id)) // the card's refresh names them (render_execute.go)
		}
		for _, t := range r.Thread {
			walk(t)
		}
	}
	for _, r := range resps {
		walk(r)
	}
	return users, channels
}

// missCache remembers failed lookups for a while, so a user who cannot be
// found is not looked up on every message. It is safe for concurrent use.
type missCache struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (c *missCache) recent(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.until[key]
	if ok && now.After(t) {
		delete(c.until, key)
		return false
	}
	return ok
}

func (c *missCache) add(key string, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.until == nil {
		c.until = map[string]time.Time{}
	}
	if len(c.until) > 10000 {
		clear(c.until) // bounded memory; forgetting misses only costs lookups
	}
	c.until[key] = until
}
