package slack

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestPacerSpacesPostsPerChannel(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	p := newPacer(func() time.Time { return now })
	var waits []time.Duration
	for range 6 {
		waits = append(waits, p.reserve("T1", "C1"))
	}
	// A burst of 3, then one a second.
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 3 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if d := p.reserve("T1", "C2"); d != 0 {
		t.Fatalf("another channel waits %v", d)
	}
	now = now.Add(10 * time.Second)
	if d := p.reserve("T1", "C1"); d != 0 {
		t.Fatalf("after a quiet spell: wait %v", d)
	}
}

func TestPacerCapsTheWorkspace(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	p := newPacer(func() time.Time { return now })
	var last time.Duration
	for i := range workspaceBurst + 5 {
		last = p.reserve("T1", fmt.Sprintf("C%d", i)) // every post in its own channel
	}
	if last != 5*workspaceInterval {
		t.Fatalf("post %d waits %v, want %v", workspaceBurst+5, last, 5*workspaceInterval)
	}
	if d := p.reserve("T2", "C1"); d != 0 {
		t.Fatalf("another workspace waits %v", d)
	}
}

// TestPacerIsSharedByReplicas: two replicas' pacers on one Redis share the
// workspace cap, so together they wait as one would; with Redis gone, each
// falls back to pacing itself alone.
func TestPacerIsSharedByReplicas(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	st := storetest.New(t)
	replicas := [2]*pacer{}
	for i := range replicas {
		replicas[i] = newPacer(func() time.Time { return now })
		replicas[i].shared = storePace(store.New(storetest.Client(t), store.Options{Prefix: st.Prefix()}))
	}
	ctx := context.Background()
	var last time.Duration
	for i := range workspaceBurst + 5 {
		last = replicas[i%2].book(ctx, "T1", fmt.Sprintf("C%d", i))
	}
	if last != 5*workspaceInterval {
		t.Fatalf("post %d across two replicas waits %v, want %v", workspaceBurst+5, last, 5*workspaceInterval)
	}
	if d := replicas[1].book(ctx, "T1", "C0"); d < time.Second-workspaceInterval {
		t.Errorf("a second post to C0 from the other replica waits %v, want the channel's pace", d)
	}

	down := newPacer(func() time.Time { return now })
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond, DialerRetries: 1})
	t.Cleanup(func() { _ = dead.Close() })
	down.shared = storePace(store.New(dead, store.Options{Prefix: st.Prefix()}))
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for range channelBurst {
		if d := down.book(ctx, "T1", "C1"); d != 0 {
			t.Fatalf("fallback within the burst waits %v", d)
		}
	}
	if d := down.book(ctx, "T1", "C1"); d != channelInterval {
		t.Errorf("fallback after the burst waits %v, want %v (local pacing)", d, channelInterval)
	}
}

func TestRetryWait(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		retry bool
		min   time.Duration
	}{
		{"429 with Retry-After", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, true, 3 * time.Second},
		{"429 without", slack.StatusCodeError{Code: 429}, true, time.Second},
		{"503", slack.StatusCodeError{Code: 503}, true, backoffInitial},
		{"400", slack.StatusCodeError{Code: 400}, false, 0},
		{"connection refused", &url.Error{Op: "Post", URL: "x", Err: errors.New("connection refused")}, true, backoffInitial},
		{"not_in_channel", slack.SlackErrorResponse{Err: "not_in_channel"}, false, 0},
		{"our context ended", &url.Error{Op: "Post", URL: "x", Err: context.Canceled}, false, 0},
	}
	for _, c := range cases {
		wait, retry := retryWait(c.err, 0)
		if retry != c.retry || wait < c.min {
			t.Errorf("%s: retryWait = %v, %v; want %v, ≥ %v", c.name, wait, retry, c.retry, c.min)
		}
	}
}

func TestRetryStopsWhenTheContextCannotWait(t *testing.T) {
	p := &Poster{pacer: newPacer(time.Now), log: testLogger(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	calls := 0
	start := time.Now()
	err := p.retry(ctx, "post in C1", func() error {
		calls++
		return &slack.RateLimitedError{RetryAfter: 30 * time.Second}
	})
	if err == nil || calls != 1 || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("err %v after %d calls and %v", err, calls, time.Since(start))
	}
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		t.Fatalf("error %v does not wrap the rate limit", err)
	}
}

func TestChannelErrorIsASentinel(t *testing.T) {
	err := fmt.Errorf("post to C9: %w", channelError("C9", slack.SlackErrorResponse{Err: "channel_not_found"}))
	var ce *ChannelError
	if !errors.Is(err, ErrNotInChannel) || !errors.As(err, &ce) || ce.Channel != "C9" {
		t.Fatalf("%v", err)
	}
}

func TestArchivedChannelIsAPermanentFailure(t *testing.T) {
	h := newHarness(t, nil)
	h.slack.mu.Lock()
	h.slack.refuse["COLD"] = "is_archived"
	h.slack.refuse["COLDER"] = "channel_is_archived"
	h.slack.mu.Unlock()
	for _, ch := range []string{"COLD", "COLDER"} {
		_, err := h.a.Poster().Post(t.Context(), commands.Destination{Workspace: "T1", Channel: ch}, commands.Response{Text: "digest"})
		if !errors.Is(err, commands.ErrUndeliverable) || !commands.IsUndeliverable(err) ||
			!strings.Contains(err.Error(), "#"+ch+" is archived; pick another channel with") {
			t.Fatalf("%s: %v", ch, err)
		}
	}
	if n := len(h.slack.Calls("chat.postMessage:refused")); n != 2 {
		t.Fatalf("%d refused posts, want 2 (no retries)", n)
	}

	// The caller of /escalate is told the IT channel is archived.
	h.slack.mu.Lock()
	h.slack.refuse["CIT"] = "is_archived"
	h.slack.mu.Unlock()
	h.setupOutcome("CIT")
	h.mustCommand("UREQ", "CSTORE", "/tag", "INC1 pos")
	h.mustCommand("UREQ", "CSTORE", "/escalate", "INC1 broken")
	h.wait()
	var found bool
	for _, c := range h.slack.Calls("response_url") {
		text, _ := c.JSON["text"].(string)
		found = found || (strings.Contains(text, "I could not post in <#CIT>: it is archived") && strings.Contains(text, "it-channel="))
	}
	if !found {
		t.Fatalf("no archived explanation; response_url got %+v", h.slack.Calls("response_url"))
	}
}
