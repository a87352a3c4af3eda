package slack

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// panicCore panics in Handle for any click and for a command whose text
// says "boom".
type panicCore struct{ *commands.Core }

func (p panicCore) Handle(ctx context.Context, req commands.Request) commands.Response {
	if req.Action != nil || strings.Contains(req.Text, "boom") {
		panic("test panic in the core")
	}
	return p.Core.Handle(ctx, req)
}

// panicObserver counts recovered panics.
type panicObserver struct{ panics atomic.Int64 }

func (o *panicObserver) Transport(next http.RoundTripper) http.RoundTripper { return next }
func (o *panicObserver) Retried(int)                                        {}
func (o *panicObserver) Panicked()                                          { o.panics.Add(1) }

// startSocket runs Socket Mode against the fake until the test ends and
// returns Slack's side of the connection, greeted.
func startSocket(t *testing.T, h *harness) socketPeer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.a.RunSocketMode(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("RunSocketMode did not stop")
		}
	})
	select {
	case conn := <-h.slack.sockets:
		t.Cleanup(func() { conn.Close() })
		p := socketPeer{t: t, conn: conn}
		p.send(map[string]any{"type": "hello", "num_connections": 1})
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no Socket Mode connection")
	}
	return socketPeer{}
}

func socketCommand(h *harness, envelope, text string) map[string]any {
	return map[string]any{"type": "slash_commands", "envelope_id": envelope, "accepts_response_payload": true,
		"payload": map[string]any{"team_id": "T1", "channel_id": "CSTORE", "user_id": "UREQ", "user_name": "req",
			"command": "/tag", "text": text, "response_url": h.slack.GetAPIURL() + "hooks/s/" + envelope}}
}

func TestPanicsInBackgroundWorkAreRecoveredAndCounted(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = "xapp-test" })
	h.mustCommand("UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`)
	obs := &panicObserver{}
	h.a.SetObserver(obs)
	h.a.core = panicCore{h.core}

	// Over HTTP: a click is handled in the background, where the core panics.
	if status := h.click("T1", "UIT", "CIT", "1764000000.000001", "ack", "E-1"); status != http.StatusOK {
		t.Fatalf("click: HTTP %d", status)
	}
	h.wait()
	if rb := h.mustCommand("UREQ", "CSTORE", "/tag", "INC1 pos"); !strings.Contains(rb.Text, "INC1") {
		t.Fatalf("after the panic: %q", rb.Text)
	}

	// Over Socket Mode: a command (run on its own goroutine) and a click panic;
	// the loop goes on serving envelopes.
	p := startSocket(t, h)
	p.send(socketCommand(h, "env-boom", "INC2 boom"))
	click := map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UREQ"},
		"channel": map[string]any{"id": "CIT"}, "container": map[string]any{"type": "message", "message_ts": "1.2", "channel_id": "CIT"},
		"actions": []any{map[string]any{"action_id": "ack", "block_id": "b1", "value": "E-1", "type": "button"}}}
	p.send(map[string]any{"type": "interactive", "envelope_id": "env-click", "payload": click})
	p.ack("env-click")
	p.send(socketCommand(h, "env-ok", "INC3 pos"))
	ack := p.ack("env-ok")
	if payload, _ := ack["payload"].(map[string]any); payload == nil || !strings.Contains(payload["text"].(string), "INC3") {
		t.Fatalf("after the panics: %v", ack)
	}
	h.wait()
	if n := obs.panics.Load(); n != 3 {
		t.Fatalf("%d panics counted, want 3", n)
	}
}

func TestSocketModeWorkAfterShutdownIsRefused(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = "xapp-test" })
	h.mustCommand("UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`)
	p := startSocket(t, h)
	p.send(socketCommand(h, "env-1", "INC1 pos"))
	p.ack("env-1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	// An envelope after Shutdown starts nothing: the WaitGroup Shutdown waited
	// on is not added to again.
	p.send(socketCommand(h, "env-2", "INC2 pos"))
	_ = p.conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	var m map[string]any
	if err := p.conn.ReadJSON(&m); err == nil {
		t.Fatalf("envelope after shutdown answered: %v", m)
	}
	if _, err := h.st.GetRequest(ctx, "T1", "INC2"); err == nil {
		t.Fatal("command after shutdown ran")
	}
}
