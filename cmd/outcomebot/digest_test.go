package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestDigestCommand prints a subscribed channel's digest from the command
// line, and refuses to pretend it posted one when no platform is set up.
func TestDigestCommand(t *testing.T) {
	e := newToolEnv(t)
	ctx := context.Background()
	if _, err := e.st.Tag(ctx, e.ws, "INC0080001", "pos", "U1", "", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := storetest.Subscribe(ctx, e.st, e.ws, record.Subscription{Channel: "CLEAD", TZ: "Europe/Berlin", By: "UADMIN", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	out, _, err := e.run("digest", "--channel", "CLEAD", "--workspace", e.ws)
	if err != nil {
		t.Fatalf("digest --channel: %v", err)
	}
	for _, want := range []string{"Weekly outcome digest", "Requests tagged: 1", "Point of sale"} {
		if !strings.Contains(out, want) {
			t.Errorf("printed digest lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := e.run("digest", "--channel", "CLEAD", "--workspace", e.ws, "--post"); err == nil || !strings.Contains(err.Error(), "posted") {
		t.Errorf("--post with no platform: err = %v, want it to say nothing was posted", err)
	}
	if _, _, err := e.run("digest"); err == nil || !strings.Contains(err.Error(), "--channel <id> or --all") {
		t.Errorf("digest without a target: err = %v", err)
	}
	err = run(ctx, []string{"digest", "--all"}, strings.NewReader(""), io.Discard, io.Discard, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "REDIS_URL") {
		t.Errorf("digest without REDIS_URL: err = %v, want it to ask for the bot's Redis", err)
	}
}
