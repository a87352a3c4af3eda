package slack

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/commands"
)

// withOAuthAndBotToken is OAuth install plus a single-workspace token
// (xoxb-test, team T1 by the fake's auth.test).
func withOAuthAndBotToken(c *Config) {
	withOAuth(c)
	c.BotToken = "xoxb-test"
}

func TestSingleWorkspaceTokenServesOnlyItsOwnTeam(t *testing.T) {
	h := newHarness(t, withOAuthAndBotToken)
	h.install(t, "T2")
	ctx := context.Background()

	// Commands: T1 (the token's team) and T2 (installed) are served; T9 is not.
	if _, rb := h.command("T1", "UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`); !strings.Contains(rb.Text, "pos") {
		t.Fatalf("T1: %q", rb.Text)
	}
	if _, rb := h.command("T2", "UADMIN", "CADMIN", "/outcome", `add ops "Operations"`); !strings.Contains(rb.Text, "ops") {
		t.Fatalf("T2: %q", rb.Text)
	}
	status, rb := h.command("T9", "UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`)
	if status != http.StatusOK || rb.ResponseType != typeEphemeral || !strings.Contains(rb.Text, "not installed") ||
		!strings.Contains(rb.Text, "https://outcomebot.example.com/slack/install") {
		t.Fatalf("T9 command: HTTP %d %+v", status, rb)
	}
	if _, err := h.st.GetOutcome(ctx, "T9", "pos"); err == nil {
		t.Fatal("T9's command ran")
	}

	// Interactions: T9's click changes nothing and posts nothing with T1's
	// token; the clicker is told through response_url.
	if status := h.click("T9", "UIT", "CIT", "1764000000.000001", "ack", "E-1"); status != http.StatusOK {
		t.Fatalf("click: HTTP %d", status)
	}
	h.wait()
	if n := len(h.slack.Calls("chat.postEphemeral")) + len(h.slack.Calls("chat.update")); n != 0 {
		t.Fatalf("T9's click made %d chat calls", n)
	}
	var told bool
	for _, c := range h.slack.Calls("response_url") {
		text, _ := c.JSON["text"].(string)
		told = told || strings.Contains(text, "not installed")
	}
	if !told {
		t.Fatalf("T9's clicker not told: %+v", h.slack.Calls("response_url"))
	}

	// Events: T9's App Home is not published; T1's and T2's are, each with
	// its own token.
	for i, team := range []string{"T9", "T1", "T2"} {
		body := eventBody(team, "EvHome"+team, map[string]any{"type": "app_home_opened", "user": "UADMIN", "tab": "home"})
		if status, _ := h.post("/slack/events", "application/json", body); status != http.StatusOK {
			t.Fatalf("event %d: HTTP %d", i, status)
		}
	}
	h.wait()
	pubs := h.slack.Calls("views.publish")
	var auths []string
	for _, p := range pubs {
		auths = append(auths, p.JSON["_auth"].(string))
	}
	sort.Strings(auths) // events are handled in the background, in any order
	if strings.Join(auths, ",") != "Bearer xoxb-T2-installed,Bearer xoxb-test" {
		t.Fatalf("views.publish tokens %v", auths)
	}

	// Posts from the scheduler: T9 has no token.
	if _, err := h.a.Poster().Post(ctx, commands.Destination{Workspace: "T9", Channel: "C1"}, commands.Response{Text: "hi"}); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("post for T9: %v", err)
	}
	if _, err := h.a.Poster().Post(ctx, commands.Destination{Workspace: "T1", Channel: "C1"}, commands.Response{Text: "hi"}); err != nil {
		t.Fatalf("post for T1: %v", err)
	}
	if n := len(h.slack.Calls("auth.test")); n != 1 {
		t.Fatalf("auth.test called %d times, want once", n)
	}
}

func TestSingleWorkspaceModeNeedsNoAuthTest(t *testing.T) {
	h := newHarness(t, nil)
	for _, team := range []string{"T1", "T9"} {
		if _, rb := h.command(team, "UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`); !strings.Contains(rb.Text, "pos") {
			t.Fatalf("%s: %q", team, rb.Text)
		}
	}
	if n := len(h.slack.Calls("auth.test")); n != 0 {
		t.Fatalf("auth.test called %d times", n)
	}
}

// stallHook holds every Redis command while stalled is set, until release
// is closed or the command's context ends.
type stallHook struct {
	stalled *atomic.Bool
	release chan struct{}
}

func (s stallHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (s stallHook) wait(ctx context.Context) error {
	if !s.stalled.Load() {
		return nil
	}
	select {
	case <-s.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s stallHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if err := s.wait(ctx); err != nil {
			return err
		}
		return next(ctx, cmd)
	}
}

func (s stallHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if err := s.wait(ctx); err != nil {
			return err
		}
		return next(ctx, cmds)
	}
}

func TestStalledRedisStillAnswersInTime(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		withOAuth(c)
		c.CommandTimeout = 300 * time.Millisecond
	})
	h.install(t, "T2")
	h.a.tokens.mu.Lock()
	clear(h.a.tokens.cache) // the token must be read from Redis
	h.a.tokens.mu.Unlock()
	hook := stallHook{stalled: &atomic.Bool{}, release: make(chan struct{})}
	h.st.Client().AddHook(hook)
	hook.stalled.Store(true)
	// Redis stays stalled until the answer is in (or, should the watchdog
	// fail, for 10 s, so the test fails instead of hanging).
	released := time.AfterFunc(10*time.Second, func() { close(hook.release) })

	status, rb := h.command("T2", "UADMIN", "CADMIN", "/outcome", "list")
	stillStalled := released.Stop()
	if stillStalled {
		close(hook.release)
	}
	if status != http.StatusOK || rb.Text != workingText || !stillStalled {
		t.Fatalf("HTTP %d %q (answered while Redis stalled: %v); want %q before Redis answers", status, rb.Text, stillStalled, workingText)
	}
	waitFor(t, "the result through response_url", func() bool { return len(h.slack.Calls("response_url")) > 0 })
	h.wait()
}

// TestUncheckableInstallationRefuses: with OAuth on and a single-workspace
// token Slack refuses (revoked), the bot cannot tell whose token it is, so a
// team without its own token is refused with "try again", never served with
// the fallback, and nothing changes.
func TestUncheckableInstallationRefuses(t *testing.T) {
	h := newHarness(t, func(c *Config) { withOAuth(c); c.BotToken = "xoxb-revoked" })
	_, rb := h.command("T9", "UADMIN", "CADMIN", "/outcome", `add pos "Point of sale"`)
	if !strings.Contains(rb.Text, "could not check this workspace's installation") {
		t.Fatalf("T9 with an uncheckable fallback token: %q", rb.Text)
	}
	if _, err := h.st.GetOutcome(context.Background(), "T9", "pos"); err == nil {
		t.Fatal("the command ran although the installation could not be checked")
	}
}
