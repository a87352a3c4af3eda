package slack

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// People the core shows by name (commands.Name: the digest names owners,
// raisers and acknowledgers without notifying them) are shown with their
// Slack display name, looked up with users.info (bot scope users:read) and
// cached in Redis: a name is refreshed when a day old, and an older cached
// name is still shown when users.info fails or is rate limited. A name
// that cannot be found shows as the user id in plain text, never as a
// <@…> mention.
const (
	// nameFresh is how old a cached name may be before it is looked up again.
	nameFresh = 24 * time.Hour
	// maxNameLookups bounds users.info calls while rendering one message;
	// the rest use their cached name or the id.
	maxNameLookups = 40
	// nameLookupWorkers bounds users.info calls in flight at once.
	nameLookupWorkers = 4
	// nameLookupBudget bounds the time all lookups for one message take.
	nameLookupBudget = 3 * time.Second
)

// nameStore is what the name cache needs of the store.
type nameStore interface {
	SlackNames(ctx context.Context, ws string, users []string) (map[string]store.SlackName, error)
	SaveSlackNames(ctx context.Context, ws string, names map[string]string, at time.Time) error
}

// names resolves the name spans of Responses to display names.
type names struct {
	store nameStore
	api   func(ctx context.Context, ws string) (webAPI, error)
	now   func() time.Time
	log   *slog.Logger
}

// resolve returns resp with every name span carrying a display name where
// one is known. It never fails: what it cannot resolve stays as it was and
// renders as the id.
func (n *names) resolve(ctx context.Context, ws string, resp commands.Response) commands.Response {
	if n == nil {
		return resp
	}
	ids := nameTargets(resp)
	if len(ids) == 0 {
		return resp
	}
	found := n.lookup(ctx, ws, ids)
	if len(found) == 0 {
		return resp
	}
	return mapText(resp, func(s string) string {
		return commands.WithNames(s, func(id string) string { return found[id] })
	})
}

// lookup returns the display names of ids: cached ones, then users.info
// for those missing or stale, with bounded concurrency and time.
func (n *names) lookup(ctx context.Context, ws string, ids []string) map[string]string {
	now := n.now()
	cached, err := n.store.SlackNames(ctx, ws, ids)
	if err != nil {
		n.log.LogAttrs(ctx, slog.LevelWarn, "slack names: cache read failed", attrWS(ws), attrErr(err))
		cached = nil
	}
	out := make(map[string]string, len(ids))
	var stale []string
	for _, id := range ids {
		c, ok := cached[id]
		if ok {
			out[id] = c.Name
		}
		if (!ok || now.Sub(c.At) >= nameFresh) && isSlackID(id) && len(stale) < maxNameLookups {
			stale = append(stale, id)
		}
	}
	if len(stale) == 0 {
		return out
	}
	api, err := n.api(ctx, ws)
	if err != nil {
		n.log.LogAttrs(ctx, slog.LevelWarn, "slack names: no client", attrWS(ws), attrErr(err))
		return out
	}
	fetched := n.fetch(ctx, ws, api, stale)
	for id, name := range fetched {
		out[id] = name
	}
	if len(fetched) > 0 {
		if err := n.store.SaveSlackNames(ctx, ws, fetched, now); err != nil {
			n.log.LogAttrs(ctx, slog.LevelWarn, "slack names: cache write failed", attrWS(ws), attrErr(err))
		}
	}
	return out
}

// fetch calls users.info for ids, nameLookupWorkers at a time, within
// nameLookupBudget; failures are logged once and left out.
func (n *names) fetch(ctx context.Context, ws string, api webAPI, ids []string) map[string]string {
	ctx, cancel := context.WithTimeout(ctx, nameLookupBudget)
	defer cancel()
	var (
		mu     sync.Mutex
		out    = make(map[string]string, len(ids))
		failed int
		last   error
		wg     sync.WaitGroup
	)
	work := make(chan string)
	for range min(nameLookupWorkers, len(ids)) {
		wg.Go(func() {
			for id := range work {
				u, err := api.GetUserInfoContext(ctx, id)
				mu.Lock()
				if name := displayName(u); err == nil && name != "" {
					out[id] = name
				} else {
					failed++
					last = err
				}
				mu.Unlock()
			}
		})
	}
	for _, id := range ids {
		select {
		case work <- id:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if failed > 0 {
		n.log.LogAttrs(ctx, slog.LevelWarn, "slack names: users.info failed; showing cached names or ids",
			attrWS(ws), slog.Int("failed", failed), attrErr(last))
	}
	return out
}

// displayName is the name Slack shows for u: its display name, else its
// real name, else its user name, printable (commands.Printable) and on one
// line.
func displayName(u *slack.User) string {
	if u == nil {
		return ""
	}
	for _, s := range []string{u.Profile.DisplayName, u.Profile.RealName, u.RealName, u.Name} {
		s = strings.Join(strings.Fields(commands.Printable(s)), " ")
		if s = strings.TrimSpace(commands.StripMarkers(s)); s != "" {
			return s
		}
	}
	return ""
}

// nameTargets lists, once each and in order, the user ids of the name
// spans in resp and its thread.
func nameTargets(resp commands.Response) []string {
	var ids []string
	seen := map[string]bool{}
	eachText(resp, func(s string) {
		if commands.NameSpans(s) == 0 {
			return
		}
		for _, sp := range commands.Spans(s) {
			if sp.Kind == commands.SpanName && sp.Target != "" && !seen[sp.Target] {
				seen[sp.Target] = true
				ids = append(ids, sp.Target)
			}
		}
	})
	return ids
}

// eachText calls f with every text resp shows, its thread's included,
// copying nothing (every message posted is read this way; only those
// with names are then copied by mapText).
func eachText(resp commands.Response, f func(string)) {
	f(resp.Title)
	f(resp.Text)
	f(resp.Context)
	for _, s := range resp.Sections {
		f(s.Title)
		f(s.Text)
		for _, fl := range s.Fields {
			f(fl.Label)
			f(fl.Value)
		}
	}
	for _, t := range resp.Thread {
		eachText(t, f)
	}
}

// mapText returns a copy of resp with f applied to every text it shows,
// its thread's included (outgoing messages are resolved when posted).
func mapText(resp commands.Response, f func(string) string) commands.Response {
	resp.Title, resp.Text, resp.Context = f(resp.Title), f(resp.Text), f(resp.Context)
	if resp.Sections != nil {
		secs := make([]commands.Section, len(resp.Sections))
		for i, s := range resp.Sections {
			s.Title, s.Text = f(s.Title), f(s.Text)
			if s.Fields != nil {
				fs := make([]commands.Field, len(s.Fields))
				for j, fl := range s.Fields {
					fl.Label, fl.Value = f(fl.Label), f(fl.Value)
					fs[j] = fl
				}
				s.Fields = fs
			}
			secs[i] = s
		}
		resp.Sections = secs
	}
	if resp.Thread != nil {
		th := make([]commands.Response, len(resp.Thread))
		for i, t := range resp.Thread {
			th[i] = mapText(t, f)
		}
		resp.Thread = th
	}
	return resp
}
