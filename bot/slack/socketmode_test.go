package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// socketPeer is the Slack side of a Socket Mode connection.
type socketPeer struct {
	t    *testing.T
	conn *websocket.Conn
}

func (p socketPeer) send(v any) {
	p.t.Helper()
	if err := p.conn.WriteJSON(v); err != nil {
		p.t.Fatal(err)
	}
}

// ack reads the next ack and checks its envelope id.
func (p socketPeer) ack(envelope string) map[string]any {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m map[string]any
	if err := p.conn.ReadJSON(&m); err != nil {
		p.t.Fatalf("waiting for the ack of %s: %v", envelope, err)
	}
	if m["envelope_id"] != envelope {
		p.t.Fatalf("ack %v, want envelope %s", m, envelope)
	}
	return m
}

func TestSocketModeRunsTheSameHandlers(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = "xapp-test" })
	h.setupOutcome("CIT")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.a.RunSocketMode(ctx) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("RunSocketMode did not stop")
		}
	}()
	var p socketPeer
	select {
	case conn := <-h.slack.sockets:
		p = socketPeer{t: t, conn: conn}
		defer conn.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("no Socket Mode connection")
	}
	if c := h.slack.Calls("apps.connections.open"); len(c) == 0 || c[0].Form.Get("auth") != "Bearer xapp-test" {
		t.Fatalf("apps.connections.open: %+v", c)
	}
	p.send(map[string]any{"type": "hello", "num_connections": 1})

	// A slash command is answered in its ack.
	p.send(map[string]any{"type": "slash_commands", "envelope_id": "env-1", "accepts_response_payload": true,
		"payload": map[string]any{"team_id": "T1", "channel_id": "CSTORE", "user_id": "UREQ", "user_name": "req",
			"command": "/tag", "text": "INC77 pos <!channel>", "response_url": h.slack.GetAPIURL() + "hooks/s/1"}})
	ack := p.ack("env-1")
	payload, _ := ack["payload"].(map[string]any)
	if payload["response_type"] != typeEphemeral || !strings.Contains(payload["text"].(string), "INC77") ||
		strings.Contains(payload["text"].(string), "<!channel>") {
		t.Fatalf("slash command ack payload %v", payload)
	}

	// An event is acked; a redelivery is acked too but acts once.
	ev := map[string]any{"type": "events_api", "envelope_id": "env-2", "payload": json.RawMessage(eventBody("T1", "EvSock1",
		map[string]any{"type": "app_home_opened", "user": "UIT", "tab": "home"}))}
	p.send(ev)
	p.ack("env-2")
	ev["envelope_id"], ev["retry_attempt"] = "env-3", 1
	p.send(ev)
	p.ack("env-3")

	// A button click is acked, then handled.
	click := map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UREQ"},
		"channel": map[string]any{"id": "CIT"}, "container": map[string]any{"type": "message", "message_ts": "1.2", "channel_id": "CIT"},
		"actions": []any{map[string]any{"action_id": "ack", "block_id": "b1", "value": "E-1", "type": "button"}}}
	p.send(map[string]any{"type": "interactive", "envelope_id": "env-4", "payload": click})
	p.ack("env-4")

	h.wait()
	if n := len(h.slack.Calls("views.publish")); n != 1 {
		t.Fatalf("views.publish %d times, want once", n)
	}
	if eph := h.slack.Calls("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].Form.Get("text"), "it-lead") {
		t.Fatalf("click answer: %+v", eph)
	}
}
