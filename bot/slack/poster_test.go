package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestPacerSpacesPostsPerChannel: six posts to one channel go as a burst
// of three, then one a second; another channel is not held up, and a quiet
// spell restores the burst.
func TestPacerSpacesPostsPerChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(time.Now)
		ctx := t.Context()
		start := time.Now()
		var sent []time.Duration
		for range 6 {
			if err := p.wait(ctx, "T1", "C1"); err != nil {
				t.Fatal(err)
			}
			sent = append(sent, time.Since(start))
		}
		want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 3 * time.Second}
		if fmt.Sprint(sent) != fmt.Sprint(want) {
			t.Fatalf("posts sent at %v, want %v", sent, want)
		}
		mark := time.Now()
		if err := p.wait(ctx, "T1", "C2"); err != nil || time.Since(mark) != 0 {
			t.Fatalf("another channel waits %v (%v)", time.Since(mark), err)
		}
		time.Sleep(10 * time.Second)
		mark = time.Now()
		if err := p.wait(ctx, "T1", "C1"); err != nil || time.Since(mark) != 0 {
			t.Fatalf("after a quiet spell: waits %v (%v)", time.Since(mark), err)
		}
		// A post whose wait outlasts its context gives up when it ends.
		for range 3 {
			_ = p.wait(ctx, "T1", "C3")
		}
		short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		mark = time.Now()
		if err := p.wait(short, "T1", "C3"); !errors.Is(err, context.DeadlineExceeded) || time.Since(mark) != 500*time.Millisecond {
			t.Fatalf("wait past the context: %v after %v", err, time.Since(mark))
		}
	})
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

func TestRetryVerdict(t *testing.T) {
	dial := &url.Error{Op: "Post", URL: "x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	reset := &url.Error{Op: "Post", URL: "x", Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}
	cases := []struct {
		name       string
		err        error
		idempotent bool
		retry      bool
		after      time.Duration
	}{
		{"429 with Retry-After", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, false, true, 3 * time.Second},
		{"429 without", slack.StatusCodeError{Code: 429}, false, true, 0},
		{"503", slack.StatusCodeError{Code: 503}, false, true, 0},
		{"400", slack.StatusCodeError{Code: 400}, false, false, 0},
		{"post that could not connect", dial, false, true, 0},
		{"post whose connection broke: may have posted", reset, false, false, 0},
		{"update whose connection broke", reset, true, true, 0},
		{"not_in_channel", channelError("C1", slack.SlackErrorResponse{Err: "not_in_channel"}), true, false, 0},
		{"invalid_blocks", slack.SlackErrorResponse{Err: "invalid_blocks"}, true, false, 0},
		{"our context ended", &url.Error{Op: "Post", URL: "x", Err: context.Canceled}, true, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := retryVerdict(c.idempotent)(c.err)
			if v.Retry != c.retry || v.After != c.after {
				t.Errorf("verdict %+v; want retry %v after %v", v, c.retry, c.after)
			}
		})
	}
}

func TestRetryStopsWhenTheContextCannotWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &Poster{log: testLogger(t)}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		calls := 0
		start := time.Now()
		err := p.retry(ctx, "post in C1", false, func() error {
			calls++
			return &slack.RateLimitedError{RetryAfter: 30 * time.Second}
		})
		if err == nil || calls != 1 || time.Since(start) != 0 {
			t.Fatalf("err %v after %d calls and %v; want the rate limit at once", err, calls, time.Since(start))
		}
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) {
			t.Fatalf("error %v does not wrap the rate limit", err)
		}
	})
}

// TestRetryWaitsTheRetryAfter: a rate-limited post is sent again exactly
// when Slack said it may be, and only then.
func TestRetryWaitsTheRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &Poster{log: testLogger(t)}
		start := time.Now()
		var at []time.Duration
		err := p.retry(t.Context(), "post in C1", false, func() error {
			at = append(at, time.Since(start))
			if len(at) < 3 {
				return &slack.RateLimitedError{RetryAfter: 2 * time.Second}
			}
			return nil
		})
		if err != nil || fmt.Sprint(at) != fmt.Sprint([]time.Duration{0, 2 * time.Second, 4 * time.Second}) {
			t.Fatalf("err %v; posts at %v, want 0s, 2s, 4s", err, at)
		}
	})
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
