package slack

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

func TestRequestsWithoutAValidSignatureChangeNothing(t *testing.T) {
	h := newHarness(t, nil)
	add := h.commandForm("T1", "UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`)
	now := time.Now()
	cases := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"wrong secret", signedRequest(t, h.srv.URL+"/slack/commands", "not-the-secret", "application/x-www-form-urlencoded", add, now), 401},
		{"stale timestamp", signedRequest(t, h.srv.URL+"/slack/commands", testSecret, "application/x-www-form-urlencoded", add, now.Add(-6*time.Minute)), 401},
		{"future timestamp", signedRequest(t, h.srv.URL+"/slack/commands", testSecret, "application/x-www-form-urlencoded", add, now.Add(6*time.Minute)), 401},
		{"unsigned", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/slack/commands", strings.NewReader(add))
			return r
		}(), 401},
		{"tampered body", func() *http.Request {
			r := signedRequest(t, h.srv.URL+"/slack/commands", testSecret, "application/x-www-form-urlencoded", add, now)
			r.Body = http.NoBody
			r.ContentLength = 0
			return r
		}(), 401},
		{"oversize body", signedRequest(t, h.srv.URL+"/slack/commands", testSecret, "application/x-www-form-urlencoded",
			add+"&pad="+strings.Repeat("x", DefaultMaxBody), now), 413},
		{"oversize, chunked", func() *http.Request {
			r := signedRequest(t, h.srv.URL+"/slack/commands", testSecret, "application/x-www-form-urlencoded",
				add+"&pad="+strings.Repeat("x", DefaultMaxBody), now)
			r.ContentLength = -1
			return r
		}(), 413},
		{"bad interaction", signedRequest(t, h.srv.URL+"/slack/interactions", "nope", "application/x-www-form-urlencoded", "payload=%7B%7D", now), 401},
		{"bad event", signedRequest(t, h.srv.URL+"/slack/events", testSecret, "application/json", `{"type":"url_verification","challenge":"c"}`, now.Add(-10*time.Minute)), 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if status, body := h.do(c.req); status != c.want {
				t.Fatalf("HTTP %d %q, want %d", status, body, c.want)
			}
		})
	}
	h.wait()
	outcomes, err := h.st.ListOutcomes(context.Background(), "T1")
	if err != nil || len(outcomes) != 0 {
		t.Fatalf("outcomes after refused requests: %v, %v", outcomes, err)
	}
	if n := len(h.slack.Calls("response_url")) + len(h.slack.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("%d messages sent for refused requests", n)
	}
	// The same command, correctly signed, works.
	if rb := h.mustCommand("UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`); !strings.Contains(rb.Text, "pos") {
		t.Fatalf("signed command: %q", rb.Text)
	}
}

func TestCommandRepliesAreExplicitlyTyped(t *testing.T) {
	h := newHarness(t, nil)
	h.mustCommand("UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`)
	status, body := h.post("/slack/commands", "application/x-www-form-urlencoded", h.commandForm("T1", "U1", "C1", "/tag", "INC-1 pos"))
	if status != 200 || !strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "INC-1") {
		t.Fatalf("HTTP %d %s", status, body)
	}
	// User text echoed back is escaped.
	_, rb := h.command("T1", "U1", "C1", "/tag", "<!channel> pos")
	if strings.Contains(rb.Text, "<!channel>") {
		t.Fatalf("reply echoes a live mention: %q", rb.Text)
	}
}

// gatedCore holds Handle until the test opens gate: a command that is
// still running when Slack must be answered.
type gatedCore struct {
	*commands.Core
	gate chan struct{}
}

func (s gatedCore) Handle(ctx context.Context, req commands.Request) commands.Response {
	<-s.gate
	return s.Core.Handle(ctx, req)
}

func TestUnknownTeamIsToldToInstall(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.BotToken = ""
		c.ClientID, c.ClientSecret, c.RedirectURL = "123.456", "client-secret", "https://outcomebot.example.com/slack/oauth/callback"
		c.SecretKey = "correct horse battery staple"
	})
	status, rb := h.command("TNEW", "U1", "C1", "/outcome", "list")
	if status != 200 || rb.ResponseType != typeEphemeral || !strings.Contains(rb.Text, "not installed") ||
		!strings.Contains(rb.Text, "https://outcomebot.example.com/slack/install") {
		t.Fatalf("HTTP %d %+v", status, rb)
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	h := newHarness(t, nil)
	for name, cfg := range map[string]Config{
		"no secret":      {BotToken: "x"},
		"nothing":        {},
		"oauth, no key":  {SigningSecret: "s", ClientID: "1", ClientSecret: "2", RedirectURL: "https://x/cb"},
		"oauth, partial": {SigningSecret: "s", ClientID: "1", SecretKey: "k"},
		"bad API URL":    {SigningSecret: "s", APIURL: "ftp://x"},
	} {
		if _, err := New(cfg, h.core, h.st, nil); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := New(Config{SigningSecret: "s"}, nil, h.st, nil); err == nil {
		t.Error("nil core accepted")
	}
}

// TestSlowCommandOverHTTPIsAnsweredBeforeTheHandlerEnds: over real HTTP,
// Slack reads the whole "Working on it…" answer while the command is still
// running (the watchdog's timing is tested in TestWatchdogAnswersSlackInTime),
// and the result follows through response_url.
func TestSlowCommandOverHTTPIsAnsweredBeforeTheHandlerEnds(t *testing.T) {
	h := newHarness(t, nil)
	h.mustCommand("UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`)
	cfg := h.a.cfg
	cfg.CommandTimeout = 50 * time.Millisecond
	gate := make(chan struct{})
	slow, err := newAdapter(cfg, gatedCore{Core: h.core, gate: gate}, h.st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	slow.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req := signedRequest(t, srv.URL+"/slack/commands", testSecret, "application/x-www-form-urlencoded",
		h.commandForm("T1", "U1", "C1", "/tag", "INC-10 pos"), time.Now())
	client := &http.Client{Timeout: 10 * time.Second} // a failure, not a hang, if nobody answers
	resp, err := client.Do(req)
	if err != nil {
		close(gate)
		t.Fatalf("no answer while the command runs: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	close(gate) // only now may the command finish
	if !strings.Contains(string(body), workingText) || !strings.Contains(string(body), `"response_type":"ephemeral"`) {
		t.Fatalf("answer %s", body)
	}
	waitFor(t, "the result through response_url", func() bool { return len(h.slack.Calls("response_url")) == 1 })
	if hook := h.slack.Calls("response_url")[0]; !strings.Contains(hook.JSON["text"].(string), "INC-10") {
		t.Fatalf("response_url answer %+v", hook.JSON)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := slow.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}
