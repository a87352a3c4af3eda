package slack

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const testSecret = "test-signing-secret"

// harness is the adapter with a real core on a real Redis, served over
// loopback HTTP, talking to a fake Slack.
type harness struct {
	t     testing.TB
	a     *Adapter
	core  *commands.Core
	bot   commandstest.Bot
	st    *store.Store
	slack *fakeSlack
	srv   *httptest.Server
}

// newHarness builds a harness; edit may change the configuration.
func newHarness(t testing.TB, edit func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, slack: newFakeSlack(t)}
	h.st = storetest.New(t)
	h.bot = commandstest.NewBot(h.st, commands.Config{Admins: []string{"UADMIN"}}, nil, testLogger(t))
	h.core = h.bot.Core
	cfg := Config{SigningSecret: testSecret, BotToken: "xoxb-test", APIURL: h.slack.GetAPIURL()}
	if edit != nil {
		edit(&cfg)
	}
	a, err := New(cfg, h.core, h.st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	h.a = a
	mux := http.NewServeMux()
	a.Register(mux)
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := h.a.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return h
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// wait lets background work (deliveries, response_url answers) finish; the
// adapter keeps serving after it (Shutdown runs at cleanup).
func (h *harness) wait() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.a.drain(ctx); err != nil {
		h.t.Fatal(err)
	}
}

// signedRequest builds a POST signed with secret as Slack would at ts.
func signedRequest(t testing.TB, target, secret, contentType, body string, ts time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	stamp := strconv.FormatInt(ts.Unix(), 10)
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("X-Slack-Request-Timestamp", stamp)
	r.Header.Set("X-Slack-Signature", sign(secret, stamp, []byte(body)))
	return r
}

// do sends r and returns the status and body.
func (h *harness) do(r *http.Request) (int, string) {
	h.t.Helper()
	resp, err := h.srv.Client().Do(r)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a freshly signed form or JSON body to path.
func (h *harness) post(path, contentType, body string) (int, string) {
	h.t.Helper()
	return h.do(signedRequest(h.t, h.srv.URL+path, testSecret, contentType, body, time.Now()))
}

// commandForm is a slash command's form body as Slack sends it.
func (h *harness) commandForm(team, user, channel, command, text string) string {
	return url.Values{
		"token": {"legacy"}, "team_id": {team}, "team_domain": {"acme"}, "channel_id": {channel},
		"channel_name": {"chan"}, "user_id": {user}, "user_name": {strings.ToLower(user)}, "command": {command},
		"text": {text}, "api_app_id": {"A1"}, "is_enterprise_install": {"false"},
		"response_url": {h.slack.GetAPIURL() + "hooks/" + user + "/" + strconv.FormatInt(time.Now().UnixNano(), 36)},
		"trigger_id":   {"13345224609.738474920.8088930838d88f008e0"},
	}.Encode()
}

// command runs a signed slash command and decodes the reply.
func (h *harness) command(team, user, channel, command, text string) (int, replyBody) {
	h.t.Helper()
	status, body := h.post("/slack/commands", "application/x-www-form-urlencoded", h.commandForm(team, user, channel, command, text))
	var rb replyBody
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &rb); err != nil {
			h.t.Fatalf("reply %q: %v", body, err)
		}
		if !strings.Contains(body, `"response_type":"`) {
			h.t.Fatalf("reply without response_type: %s", body)
		}
	}
	return status, rb
}

// mustCommand runs a command as in team T1 and fails unless it answers 200.
func (h *harness) mustCommand(user, channel, command, text string) replyBody {
	h.t.Helper()
	status, rb := h.command("T1", user, channel, command, text)
	if status != http.StatusOK {
		h.t.Fatalf("%s %s: HTTP %d", command, text, status)
	}
	return rb
}

// click sends a signed block_actions payload for a button on message ts.
func (h *harness) click(team, user, channel, ts, action, value string) int {
	h.t.Helper()
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": team, "domain": "acme"},
		"user":       map[string]any{"id": user, "name": strings.ToLower(user), "team_id": team},
		"channel":    map[string]any{"id": channel, "name": "it"},
		"container":  map[string]any{"type": "message", "message_ts": ts, "channel_id": channel},
		"message":    map[string]any{"type": "message", "ts": ts},
		"trigger_id": "1.2.3", "response_url": h.slack.GetAPIURL() + "hooks/actions/1",
		"actions": []any{map[string]any{"type": "button", "action_id": action, "block_id": "b1", "value": value, "action_ts": "1764000001.000100"}},
	}
	js, _ := json.Marshal(payload)
	status, _ := h.post("/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(js)}}.Encode())
	return status
}

// setupOutcome defines pos with IT owner UIT and IT channel itChannel, and
// makes UIT an it-lead.
func (h *harness) setupOutcome(itChannel string) {
	h.t.Helper()
	rb := h.mustCommand("UADMIN", "CADMIN", "/outcome", `add pos "Point of sale" it=<@UIT|it> it-channel=<#`+itChannel+`|it>`)
	if !strings.Contains(rb.Text, "pos") {
		h.t.Fatalf("outcome add: %q", rb.Text)
	}
	h.mustCommand("UADMIN", "CADMIN", "/outcome", "grant <@UIT|it> it-lead")
}
