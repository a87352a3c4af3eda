package store

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Slack display names, cached so that messages which name people (the
// digest) cost no users.info call per person per message.
//
// Key format:
//
//	<prefix>:{<ws>}:slack:name:<user>   string "<fetched at, unix ms>|<display name>", expires
//
// The key outlives the freshness the adapter wants (it refreshes a name a
// day old), so a name can still be shown when users.info fails or is rate
// limited; it expires after SlackNameKeep, so a departed user's name does
// not stay for ever.

// SlackNameKeep is how long a cached display name is kept at most.
const SlackNameKeep = 30 * 24 * time.Hour

// SlackName is a cached display name and when it was fetched.
type SlackName struct {
	Name string
	At   time.Time
}

func (k keyspace) slackName(user string) string { return k.base + "slack:name:" + user }

// SlackNames reads the cached names of users in one round trip (MGET: the
// keys share the workspace's hash slot). Users without a cached name are
// absent from the map.
func (s *Store) SlackNames(ctx context.Context, ws string, users []string) (map[string]SlackName, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, wrap("read slack names", err)
	}
	out := make(map[string]SlackName, len(users))
	if len(users) == 0 {
		return out, nil
	}
	k := s.keys(ws)
	keys := make([]string, len(users))
	for i, u := range users {
		keys[i] = k.slackName(u)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, wrap("read slack names "+ws, err)
	}
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		at, name, ok := strings.Cut(str, "|")
		if !ok || name == "" {
			continue
		}
		out[users[i]] = SlackName{Name: name, At: fromMS(at)}
	}
	return out, nil
}

// SaveSlackNames caches display names fetched at at, in one round trip,
// each kept for SlackNameKeep.
func (s *Store) SaveSlackNames(ctx context.Context, ws string, names map[string]string, at time.Time) error {
	if err := checkWorkspace(ws); err != nil {
		return wrap("save slack names", err)
	}
	if len(names) == 0 {
		return nil
	}
	k := s.keys(ws)
	stamp := strconv.FormatInt(ms(at), 10) + "|"
	p := s.rdb.Pipeline()
	for u, n := range names {
		if u == "" || n == "" {
			continue
		}
		p.Set(ctx, k.slackName(u), stamp+n, SlackNameKeep)
	}
	_, err := p.Exec(ctx)
	return wrap("save slack names "+ws, err)
}
