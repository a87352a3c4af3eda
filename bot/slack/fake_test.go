package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
)

// fakeSlack is slack-go's slacktest server with the routes it lacks
// (chat.update, views.publish, oauth.v2.access, response_url hooks) and an
// auth.test that knows which team a token belongs to, a
// recording chat.postMessage with unique timestamps, and switches for
// 429s and not_in_channel.
type fakeSlack struct {
	*slacktest.Server

	mu        sync.Mutex
	calls     []apiCall
	seq       int
	limited   int                  // how many chat.postMessage calls answer 429 next
	notIn     map[string]bool      // channels answering not_in_channel
	refuse    map[string]string    // channel → error code chat.postMessage answers there
	oauth     map[string]string    // code → team id to install
	users     map[string]string    // user id → display name users.info answers; others user_not_found
	usersDown bool                 // users.info answers 429
	noChart   bool                 // answer invalid_blocks to a post with a data_visualization block
	changed   chan struct{}        // signalled after each recorded call
	sockets   chan *websocket.Conn // Socket Mode connections made to the fake
	trigger   string               // views.open's error for every trigger, if set
}

// apiCall is one request the fake received.
type apiCall struct {
	Method string
	Form   url.Values // form-encoded calls
	JSON   map[string]any
	At     time.Time
	TS     string // the ts answered (postMessage)
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{notIn: map[string]bool{}, refuse: map[string]string{}, oauth: map[string]string{}, users: map[string]string{},
		changed: make(chan struct{}, 1000),
		sockets: make(chan *websocket.Conn, 4)}
	f.Server = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", f.postMessage)
		c.Handle("/chat.update", f.form("chat.update", func(v url.Values) any {
			return map[string]any{"ok": true, "channel": v.Get("channel"), "ts": v.Get("ts")}
		}))
		c.Handle("/chat.postEphemeral", f.form("chat.postEphemeral", func(v url.Values) any {
			return map[string]any{"ok": true, "message_ts": f.nextTS()}
		}))
		c.Handle("/views.publish", f.json("views.publish"))
		c.Handle("/views.open", f.viewsOpen)
		c.Handle("/chat.getPermalink", f.form("chat.getPermalink", func(v url.Values) any {
			return map[string]any{"ok": true, "channel": v.Get("channel"),
				"permalink": "https://acme.slack.com/archives/" + v.Get("channel") + "/p" + strings.ReplaceAll(v.Get("message_ts"), ".", "")}
		}))
		c.Handle("/conversations.open", f.form("conversations.open", func(v url.Values) any {
			return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + v.Get("users")}}
		}))
		c.Handle("/oauth.v2.access", f.oauthAccess)
		c.Handle("/auth.test", f.authTest)
		c.Handle("/users.info", f.usersInfo)
		c.Handle("/hooks/", f.json("response_url"))
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			f.record(apiCall{Method: "apps.connections.open", Form: url.Values{"auth": {r.Header.Get("Authorization")}}})
			writeTestJSON(w, map[string]any{"ok": true, "url": "ws://" + r.Host + "/socket"})
		})
		c.Handle("/socket", func(w http.ResponseWriter, r *http.Request) {
			conn, err := (&websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}).Upgrade(w, r, nil)
			if err != nil {
				return
			}
			f.sockets <- conn
		})
	})
	f.Start()
	t.Cleanup(f.Stop)
	return f
}

func (f *fakeSlack) nextTS() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return fmt.Sprintf("1764000000.%06d", f.seq)
}

func (f *fakeSlack) record(c apiCall) {
	c.At = time.Now()
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// Calls returns the calls of one method, in order.
func (f *fakeSlack) Calls(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// RateLimitNext makes the next n chat.postMessage calls answer 429.
func (f *fakeSlack) RateLimitNext(n int) {
	f.mu.Lock()
	f.limited = n
	f.mu.Unlock()
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	v, _ := url.ParseQuery(string(body))
	if tok := r.Header.Get("Authorization"); tok != "" {
		v.Set("token", strings.TrimPrefix(tok, "Bearer "))
	}
	f.mu.Lock()
	limited := f.limited > 0
	if limited {
		f.limited--
	}
	refused := f.refuse[v.Get("channel")]
	if f.noChart && strings.Contains(v.Get("blocks"), `"data_visualization"`) {
		refused = "invalid_blocks"
	}
	if f.notIn[v.Get("channel")] {
		refused = "not_in_channel"
	}
	f.mu.Unlock()
	switch {
	case limited:
		f.record(apiCall{Method: "chat.postMessage:429", Form: v})
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
		return
	case refused != "":
		f.record(apiCall{Method: "chat.postMessage:refused", Form: v})
		writeTestJSON(w, map[string]any{"ok": false, "error": refused})
		return
	}
	ts := f.nextTS()
	f.record(apiCall{Method: "chat.postMessage", Form: v, TS: ts})
	writeTestJSON(w, map[string]any{"ok": true, "channel": v.Get("channel"), "ts": ts})
}

// usersInfo answers users.info from f.users: the display name in the
// profile, user_not_found for others, 429 while usersDown.
func (f *fakeSlack) usersInfo(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id := r.PostForm.Get("user")
	f.record(apiCall{Method: "users.info", Form: r.PostForm})
	f.mu.Lock()
	name, ok := f.users[id]
	down := f.usersDown
	f.mu.Unlock()
	switch {
	case down:
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
	case !ok:
		writeTestJSON(w, map[string]any{"ok": false, "error": "user_not_found"})
	default:
		writeTestJSON(w, map[string]any{"ok": true, "user": map[string]any{"id": id, "name": strings.ToLower(name),
			"profile": map[string]any{"display_name": name, "real_name": name + " (real)"}}})
	}
}

func (f *fakeSlack) form(method string, answer func(url.Values) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v, _ := url.ParseQuery(string(body))
		for k, vs := range r.URL.Query() { // GET calls (chat.getPermalink)
			v[k] = vs
		}
		if tok := r.Header.Get("Authorization"); tok != "" {
			v.Set("token", strings.TrimPrefix(tok, "Bearer "))
		}
		f.record(apiCall{Method: method, Form: v})
		writeTestJSON(w, answer(v))
	}
}

// viewsOpen records views.open (form-encoded: trigger_id and the view as
// JSON) and answers ok, or f.trigger's error.
func (f *fakeSlack) viewsOpen(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		v, _ := url.ParseQuery(string(body))
		m = map[string]any{"trigger_id": v.Get("trigger_id")}
		var view map[string]any
		_ = json.Unmarshal([]byte(v.Get("view")), &view)
		m["view"] = view
	}
	f.record(apiCall{Method: "views.open", JSON: m})
	f.mu.Lock()
	refuse := f.trigger
	f.mu.Unlock()
	if refuse != "" {
		writeTestJSON(w, map[string]any{"ok": false, "error": refuse})
		return
	}
	writeTestJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
}

func (f *fakeSlack) json(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		if m == nil {
			m = map[string]any{}
		}
		m["_path"] = r.URL.Path
		m["_auth"] = r.Header.Get("Authorization")
		f.record(apiCall{Method: method, JSON: m})
		writeTestJSON(w, map[string]any{"ok": true})
	}
}

func (f *fakeSlack) oauthAccess(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.record(apiCall{Method: "oauth.v2.access", Form: r.PostForm})
	f.mu.Lock()
	team, ok := f.oauth[r.PostForm.Get("code")]
	f.mu.Unlock()
	if !ok {
		writeTestJSON(w, map[string]any{"ok": false, "error": "invalid_code"})
		return
	}
	writeTestJSON(w, map[string]any{
		"ok": true, "access_token": "xoxb-" + team + "-installed", "token_type": "bot", "scope": botScopes,
		"bot_user_id": "UBOT", "app_id": "A1", "team": map[string]any{"id": team, "name": "Team " + team},
		"authed_user": map[string]any{"id": "UINSTALLER"},
	})
}

// authTest answers auth.test: xoxb-test belongs to team T1, a token the
// fake's OAuth handed out to its team; others are invalid.
func (f *fakeSlack) authTest(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if tok == "" {
		tok = r.PostForm.Get("token")
	}
	f.record(apiCall{Method: "auth.test", Form: url.Values{"token": {tok}}})
	team := ""
	switch {
	case tok == "xoxb-test":
		team = "T1"
	case strings.HasPrefix(tok, "xoxb-") && strings.HasSuffix(tok, "-installed"):
		team = strings.TrimSuffix(strings.TrimPrefix(tok, "xoxb-"), "-installed")
	default:
		writeTestJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	writeTestJSON(w, map[string]any{"ok": true, "url": "https://" + strings.ToLower(team) + ".slack.com/",
		"team": "Team " + team, "user": "outcomebot", "team_id": team, "user_id": "UBOT", "bot_id": "BBOT"})
}

func writeTestJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
