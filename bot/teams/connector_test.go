package teams

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/bot"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestConnector builds a connector on the fake connector, with a
// recording sleep and a settable clock.
func newTestConnector(t *testing.T, f *fakeConnector, clock *fakeClock) (*connector, *[]time.Duration) {
	var mu sync.Mutex
	var slept []time.Duration
	client := &http.Client{Timeout: 5 * time.Second}
	return &connector{
		http:    client,
		tokens:  newTokenSource(f.tokenURL(), testAppID, "s3cret", client, clock.Now),
		limiter: newConvLimiter(teamsSendLimits, clock.Now),
		log:     slog.New(slog.DiscardHandler),
		sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			slept = append(slept, d)
			mu.Unlock()
			return ctx.Err()
		},
	}, &slept
}

func connectorAt(t *testing.T) (*fakeConnector, convAddress) {
	f := newFakeConnector(t)
	return f, convAddress{ServiceURL: f.URL + "/", ConversationID: "a:chat", BotID: botID}
}

func TestTokenIsCachedUntilShortlyBeforeExpiry(t *testing.T) {
	f, to := connectorAt(t)
	clock := &fakeClock{t: time.Now()}
	c, _ := newTestConnector(t, f, clock)
	ctx := context.Background()
	for range 3 {
		if _, err := c.Send(ctx, to, outActivity{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.tokenCalls.Load(); n != 1 {
		t.Fatalf("3 sends made %d token requests, want 1", n)
	}
	clock.Advance(3599*time.Second - tokenEarly - time.Second)
	_, _ = c.Send(ctx, to, outActivity{})
	if n := f.tokenCalls.Load(); n != 1 {
		t.Fatalf("token refreshed too early: %d requests", n)
	}
	clock.Advance(2 * time.Second)
	_, _ = c.Send(ctx, to, outActivity{})
	if n := f.tokenCalls.Load(); n != 2 {
		t.Fatalf("token not refreshed before expiry: %d requests", n)
	}
}

func TestTokenConcurrentCallersShareOneRequest(t *testing.T) {
	f := newFakeConnector(t)
	ts := newTokenSource(f.tokenURL(), testAppID, "s3cret", &http.Client{Timeout: 5 * time.Second}, time.Now)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := ts.Token(context.Background()); err != nil || tok != fakeAccessToken {
				t.Errorf("Token = %q, %v", tok, err)
			}
		}()
	}
	wg.Wait()
	if n := f.tokenCalls.Load(); n != 1 {
		t.Fatalf("%d token requests, want 1", n)
	}
}

func TestTokenFailuresAreErrors(t *testing.T) {
	f := newFakeConnector(t)
	client := &http.Client{Timeout: 5 * time.Second}

	bad := newTokenSource(f.tokenURL(), testAppID, "wrong", client, time.Now)
	_, err := bad.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("bad secret: err = %v; want the error code and never the secret", err)
	}

	f.tokenStatus.Store(http.StatusServiceUnavailable)
	down := newTokenSource(f.tokenURL(), testAppID, "s3cret", client, time.Now)
	if _, err := down.Token(context.Background()); err == nil {
		t.Fatal("503 from the token endpoint: no error")
	}
	f.tokenStatus.Store(0)
	if tok, err := down.Token(context.Background()); err != nil || tok != fakeAccessToken {
		t.Fatalf("failure was cached: %q, %v", tok, err)
	}

	// Nothing listening: an error, not a panic (msbotbuilder-go issue #69).
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	gone := newTokenSource("http://"+addr+"/token", testAppID, "s3cret", client, time.Now)
	if _, err := gone.Token(context.Background()); err == nil {
		t.Fatal("unreachable token endpoint: no error")
	}
	c := &connector{http: client, tokens: gone, limiter: newConvLimiter(teamsSendLimits, time.Now),
		log: slog.New(slog.DiscardHandler), sleep: bot.Sleep}
	if _, err := c.Send(context.Background(), convAddress{ServiceURL: f.URL + "/", ConversationID: "a:x"}, outActivity{}); err == nil {
		t.Fatal("send without a token: no error")
	}
}

func TestConnectorRetries(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		header    http.Header
		failures  int
		wantCalls int
		wantErr   bool
		wantSleep time.Duration // first sleep, when exact
	}{
		{"429 with Retry-After", http.StatusTooManyRequests, http.Header{"Retry-After": {"3"}}, 2, 3, false, 3 * time.Second},
		{"412", http.StatusPreconditionFailed, nil, 1, 2, false, 0},
		{"502", http.StatusBadGateway, nil, 1, 2, false, 0},
		{"504", http.StatusGatewayTimeout, nil, 1, 2, false, 0},
		{"always 429", http.StatusTooManyRequests, nil, 100, maxAttempts, true, 0},
		{"400 is final", http.StatusBadRequest, nil, 100, 1, true, 0},
		{"403 is final", http.StatusForbidden, nil, 100, 1, true, 0},
		{"413 is final", http.StatusRequestEntityTooLarge, nil, 100, 1, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, to := connectorAt(t)
			var n atomic.Int64
			f.fail = func(r *http.Request, _ int) (int, http.Header, bool) {
				if int(n.Add(1)) <= tc.failures {
					return tc.status, tc.header, true
				}
				return 0, nil, false
			}
			c, slept := newTestConnector(t, f, &fakeClock{t: time.Now()})
			id, err := c.Send(context.Background(), to, outActivity{Type: "message"})
			if (err != nil) != tc.wantErr {
				t.Fatalf("Send = %q, %v; want error %v", id, err, tc.wantErr)
			}
			var he *HTTPError
			if err != nil && (!errors.As(err, &he) || he.Status != tc.status) {
				t.Errorf("error %v does not carry status %d", err, tc.status)
			}
			if got := len(f.take()); got != tc.wantCalls {
				t.Errorf("%d calls, want %d", got, tc.wantCalls)
			}
			if len(*slept) != tc.wantCalls-1 {
				t.Errorf("slept %d times, want %d", len(*slept), tc.wantCalls-1)
			}
			if tc.wantSleep > 0 && (len(*slept) == 0 || (*slept)[0] != tc.wantSleep) {
				t.Errorf("slept %v, want Retry-After %v first", *slept, tc.wantSleep)
			}
			for _, d := range *slept {
				if d <= 0 || d > backoffMax {
					t.Errorf("backoff %v outside (0, %v]", d, backoffMax)
				}
			}
		})
	}
}

func TestConnectorRefreshesARefusedToken(t *testing.T) {
	f, to := connectorAt(t)
	c, _ := newTestConnector(t, f, &fakeClock{t: time.Now()})
	c.tokens.token, c.tokens.expires = "stale", time.Now().Add(time.Hour)
	if _, err := c.Send(context.Background(), to, outActivity{}); err != nil {
		t.Fatalf("send with a refused cached token: %v", err)
	}
	if f.tokenCalls.Load() != 1 {
		t.Fatalf("token not refreshed after 401")
	}
}

func TestConnectorDoesNotResendPostAfterTransportError(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	f := newFakeConnector(t)
	c, slept := newTestConnector(t, f, &fakeClock{t: time.Now()})
	to := convAddress{ServiceURL: "http://" + addr + "/", ConversationID: "a:x"}
	if _, err := c.Send(context.Background(), to, outActivity{}); err == nil {
		t.Fatal("send to nowhere succeeded")
	}
	if len(*slept) != 0 {
		t.Errorf("POST retried after a transport error (%d sleeps): could double post", len(*slept))
	}
	if _, err := c.Member(context.Background(), to.ServiceURL, "a:x", "29:x"); err == nil {
		t.Fatal("member lookup to nowhere succeeded")
	}
	if len(*slept) != maxAttempts-1 {
		t.Errorf("GET retried %d times, want %d", len(*slept), maxAttempts-1)
	}
}

func TestConnectorEscapesConversationIDs(t *testing.T) {
	f, to := connectorAt(t)
	c, _ := newTestConnector(t, f, &fakeClock{t: time.Now()})
	to.ConversationID = "19:abc@thread.tacv2;messageid=1712/x?y"
	if _, err := c.Reply(context.Background(), to, "17 12", outActivity{}); err != nil {
		t.Fatal(err)
	}
	calls := f.take()
	if len(calls) != 1 || calls[0].Conversation != to.ConversationID || calls[0].ActivityID != "17 12" {
		t.Fatalf("calls %+v", calls)
	}
}

func TestLimiterWindows(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := newConvLimiter(teamsSendLimits, clock.Now)
	var waits []time.Duration
	for range 10 {
		waits = append(waits, l.reserve("c1"))
	}
	for i := range 7 {
		if waits[i] != 0 {
			t.Errorf("send %d waits %v, want 0 (7 per second)", i+1, waits[i])
		}
	}
	// 8th: the 7-per-second window; 9th and 10th: the 8-per-2 s window
	// (sends at exactly t-2s have left it).
	if waits[7] != time.Second || waits[8] != 2*time.Second || waits[9] != 2*time.Second {
		t.Errorf("waits %v; want the 8th at 1s, the 9th and 10th at 2s", waits)
	}
	if w := l.reserve("c2"); w != 0 {
		t.Errorf("another conversation waits %v", w)
	}
	// In any 30 s, at most 60.
	clock.Advance(time.Hour)
	var last time.Duration
	for range 61 {
		last = l.reserve("c3")
	}
	if last < 30*time.Second {
		t.Errorf("61st send in a burst waits %v, want at least 30s", last)
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	l := newConvLimiter([]window{{time.Hour, 1}}, time.Now)
	_ = l.Wait(context.Background(), "c")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, "c"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v, want the context's deadline", err)
	}
}

// TestHTTPErrorPermanent: only a gone conversation or a refused bot is
// permanent; a message that is gone (reply, update) or throttling is not.
func TestHTTPErrorPermanent(t *testing.T) {
	for _, c := range []struct {
		err  HTTPError
		want bool
	}{
		{HTTPError{Op: "send to conversation 19:x", Status: 404}, true},
		{HTTPError{Op: "reply to activity 1", Status: 404, Code: "ConversationNotFound"}, true},
		{HTTPError{Op: "update activity 1", Status: 404, Code: "ActivityNotFound"}, false},
		{HTTPError{Op: "reply to activity 1", Status: 404}, false},
		{HTTPError{Op: "send to conversation 19:x", Status: 403, Code: "BotNotInConversationRoster"}, true},
		{HTTPError{Op: "send to conversation 19:x", Status: 403}, false},
		{HTTPError{Op: "send to conversation 19:x", Status: 429, Code: "Throttled"}, false},
	} {
		if got := c.err.Permanent(); got != c.want {
			t.Errorf("%s: Permanent() = %v, want %v", c.err.Error(), got, c.want)
		}
	}
}
