package teams

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"
)

// noWait replaces the waits between retries in tests over real sockets,
// which cannot run in a synctest bubble and are not about timing.
func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// handlerTransport serves requests with h in memory: real HTTP handling
// without a socket, so the connector can be timed in a synctest bubble.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = r
	return res, nil
}

// newTestConnector builds a connector on the fake connector's handler,
// reached in memory, with the production retry policy and rate limits.
// Create f outside the bubble and the connector inside it.
func newTestConnector(f *fakeConnector) *connector {
	client := &http.Client{Transport: handlerTransport{f.Config.Handler}, Timeout: 5 * time.Second}
	return &connector{
		http:    client,
		tokens:  newTokenSource(f.tokenURL(), testAppID, "s3cret", client),
		limiter: newConvLimiter(teamsSendLimits),
		log:     slog.New(slog.DiscardHandler),
		retry:   connectorRetry,
	}
}

// to is where the tests send: a chat on the fake connector.
var to = convAddress{ServiceURL: "http://connector.test/", ConversationID: "a:chat", BotID: botID}

func TestTokenIsCachedUntilShortlyBeforeExpiry(t *testing.T) {
	f := newFakeConnector(t)
	synctest.Test(t, func(t *testing.T) {
		c := newTestConnector(f)
		ctx := t.Context()
		for range 3 {
			if _, err := c.Send(ctx, to, outActivity{}); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.tokenCalls.Load(); n != 1 {
			t.Fatalf("3 sends made %d token requests, want 1", n)
		}
		// The fake's tokens live 3599 s; they are replaced tokenEarly before.
		time.Sleep(3599*time.Second - tokenEarly - time.Second)
		_, _ = c.Send(ctx, to, outActivity{})
		if n := f.tokenCalls.Load(); n != 1 {
			t.Fatalf("token refreshed too early: %d requests", n)
		}
		time.Sleep(2 * time.Second)
		_, _ = c.Send(ctx, to, outActivity{})
		if n := f.tokenCalls.Load(); n != 2 {
			t.Fatalf("token not refreshed before expiry: %d requests", n)
		}
	})
}

func TestTokenConcurrentCallersShareOneRequest(t *testing.T) {
	f := newFakeConnector(t)
	synctest.Test(t, func(t *testing.T) {
		client := &http.Client{Transport: handlerTransport{f.Config.Handler}}
		ts := newTokenSource(f.tokenURL(), testAppID, "s3cret", client)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if tok, err := ts.Token(t.Context()); err != nil || tok != fakeAccessToken {
					t.Errorf("Token = %q, %v", tok, err)
				}
			})
		}
		wg.Wait()
		if n := f.tokenCalls.Load(); n != 1 {
			t.Fatalf("%d token requests, want 1", n)
		}
	})
}

// TestTokenFailuresAreErrors runs over real HTTP: a refused secret, a
// failing endpoint and an unreachable one are errors, never panics, and
// are not cached.
func TestTokenFailuresAreErrors(t *testing.T) {
	f := newFakeConnector(t)
	client := &http.Client{Timeout: 5 * time.Second}

	bad := newTokenSource(f.tokenURL(), testAppID, "wrong", client)
	_, err := bad.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("bad secret: err = %v; want the error code and never the secret", err)
	}

	f.tokenStatus.Store(http.StatusServiceUnavailable)
	down := newTokenSource(f.tokenURL(), testAppID, "s3cret", client)
	if _, err := down.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("503 from the token endpoint: err = %v", err)
	}
	f.tokenStatus.Store(0)
	if tok, err := down.Token(context.Background()); err != nil || tok != fakeAccessToken {
		t.Fatalf("failure was cached: %q, %v", tok, err)
	}

	// Nothing listening: an error, not a panic (msbotbuilder-go issue #69).
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	gone := newTokenSource("http://"+addr+"/token", testAppID, "s3cret", client)
	if _, err := gone.Token(context.Background()); err == nil {
		t.Fatal("unreachable token endpoint: no error")
	}
	pol := connectorRetry
	pol.Sleep = noWait
	c := &connector{http: client, tokens: gone, limiter: newConvLimiter(teamsSendLimits),
		log: slog.New(slog.DiscardHandler), retry: pol}
	if _, err := c.Send(context.Background(), convAddress{ServiceURL: f.URL + "/", ConversationID: "a:x"}, outActivity{}); err == nil {
		t.Fatal("send without a token: no error")
	}
}

// TestConnectorRetries: what the connector retries, how often, and when
// each try goes out (bubble time, as the fake connector saw it).
func TestConnectorRetries(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		header    http.Header
		failures  int
		wantCalls int
		wantErr   bool
		wantAt    []time.Duration // call times, when exact
	}{
		{"429 with Retry-After", http.StatusTooManyRequests, http.Header{"Retry-After": {"3"}}, 2, 3, false, []time.Duration{0, 3 * time.Second, 6 * time.Second}},
		{"429 without", http.StatusTooManyRequests, nil, 1, 2, false, nil},
		{"412", http.StatusPreconditionFailed, nil, 1, 2, false, nil},
		{"500", http.StatusInternalServerError, nil, 1, 2, false, nil},
		{"502", http.StatusBadGateway, nil, 1, 2, false, nil},
		{"504", http.StatusGatewayTimeout, nil, 1, 2, false, nil},
		{"always 429", http.StatusTooManyRequests, nil, 100, connectorRetry.Attempts, true, nil},
		{"400 is final", http.StatusBadRequest, nil, 100, 1, true, nil},
		{"403 is final", http.StatusForbidden, nil, 100, 1, true, nil},
		{"413 is final", http.StatusRequestEntityTooLarge, nil, 100, 1, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeConnector(t)
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var at []time.Duration
				f.fail = func(r *http.Request, _ int) (int, http.Header, bool) {
					at = append(at, time.Since(start))
					if len(at) <= tc.failures {
						return tc.status, tc.header, true
					}
					return 0, nil, false
				}
				c := newTestConnector(f)
				id, err := c.Send(t.Context(), to, outActivity{Type: "message"})
				if (err != nil) != tc.wantErr {
					t.Fatalf("Send = %q, %v; want error %v", id, err, tc.wantErr)
				}
				var he *HTTPError
				if err != nil && (!errors.As(err, &he) || he.Status != tc.status) {
					t.Errorf("error %v does not carry status %d", err, tc.status)
				}
				if len(at) != tc.wantCalls {
					t.Fatalf("%d calls, want %d", len(at), tc.wantCalls)
				}
				if tc.wantAt != nil && fmt.Sprint(at) != fmt.Sprint(tc.wantAt) {
					t.Errorf("calls at %v, want %v (Retry-After honoured)", at, tc.wantAt)
				}
				for i := 1; tc.wantAt == nil && i < len(at); i++ {
					if gap := at[i] - at[i-1]; gap < connectorRetry.Base/2 || gap > connectorRetry.Max {
						t.Errorf("backoff %v outside [%v, %v]", gap, connectorRetry.Base/2, connectorRetry.Max)
					}
				}
			})
		})
	}
}

func TestConnectorRefreshesARefusedToken(t *testing.T) {
	f := newFakeConnector(t)
	synctest.Test(t, func(t *testing.T) {
		c := newTestConnector(f)
		c.tokens.cache = oauth2.ReuseTokenSourceWithExpiry(
			&oauth2.Token{AccessToken: "stale", Expiry: time.Now().Add(time.Hour)}, tokenRequester{c.tokens}, tokenEarly)
		if _, err := c.Send(t.Context(), to, outActivity{}); err != nil {
			t.Fatalf("send with a refused cached token: %v", err)
		}
		if f.tokenCalls.Load() != 1 {
			t.Fatalf("token not refreshed after 401")
		}
	})
}

// TestConnectorResendsOnlyWhatCannotDoublePost, over real sockets: a send
// that could not connect is resent; a send whose connection broke after it
// was written is not (it may have posted); a read is resent either way.
func TestConnectorResendsOnlyWhatCannotDoublePost(t *testing.T) {
	f := newFakeConnector(t)
	client := &http.Client{Timeout: 5 * time.Second}
	pol := connectorRetry
	pol.Sleep = noWait
	c := &connector{http: client, tokens: newTokenSource(f.tokenURL(), testAppID, "s3cret", client),
		limiter: newConvLimiter(teamsSendLimits), log: slog.New(slog.DiscardHandler), retry: pol}
	obs := &statusObserver{status: map[int]int{}, retried: map[int]int{}}
	c.obs = obs

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	nowhere := convAddress{ServiceURL: "http://" + l.Addr().String() + "/", ConversationID: "a:x"}
	l.Close()
	if _, err := c.Send(context.Background(), nowhere, outActivity{}); err == nil {
		t.Fatal("send to nowhere succeeded")
	}
	if tries := obs.retried[0]; tries != pol.Attempts-1 {
		t.Errorf("a send that could not connect was retried %d times, want %d", tries, pol.Attempts-1)
	}

	var got atomic.Int64
	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		_, _ = io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the request arrived; the answer never does
		}
	}))
	defer hangUp.Close()
	broken := convAddress{ServiceURL: hangUp.URL + "/", ConversationID: "a:x"}
	if _, err := c.Send(context.Background(), broken, outActivity{}); err == nil {
		t.Fatal("send over a broken connection succeeded")
	}
	if n := got.Load(); n != 1 {
		t.Errorf("a send whose connection broke reached the connector %d times, want 1 (could double post)", n)
	}
	got.Store(0)
	if _, err := c.Member(context.Background(), broken.ServiceURL, "a:x", "29:x"); err == nil {
		t.Fatal("member lookup over a broken connection succeeded")
	}
	if n := got.Load(); n != int64(pol.Attempts) {
		t.Errorf("a member lookup whose connection broke was tried %d times, want %d", n, pol.Attempts)
	}
}

func TestConnectorEscapesConversationIDs(t *testing.T) {
	f := newFakeConnector(t)
	synctest.Test(t, func(t *testing.T) {
		c := newTestConnector(f)
		to := to
		to.ConversationID = "19:abc@thread.tacv2;messageid=1712/x?y"
		if _, err := c.Reply(t.Context(), to, "17 12", outActivity{}); err != nil {
			t.Fatal(err)
		}
		calls := f.take()
		if len(calls) != 1 || calls[0].Conversation != to.ConversationID || calls[0].ActivityID != "17 12" {
			t.Fatalf("calls %+v", calls)
		}
	})
}

// TestLimiterWindows: sends to one conversation go out as Teams' windows
// allow (7 per second, 8 per 2 s, 60 per 30 s); other conversations are
// not held up.
func TestLimiterWindows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newConvLimiter(teamsSendLimits)
		ctx := t.Context()
		sendAll := func(key string, n int) []time.Duration {
			start := time.Now()
			var at []time.Duration
			for range n {
				if err := l.Wait(ctx, key); err != nil {
					t.Fatal(err)
				}
				at = append(at, time.Since(start))
			}
			return at
		}
		// 8th: the 7-per-second window; 9th and 10th: the 8-per-2 s window
		// (sends at exactly t-2s have left it).
		want := []time.Duration{0, 0, 0, 0, 0, 0, 0, time.Second, 2 * time.Second, 2 * time.Second}
		if at := sendAll("c1", 10); fmt.Sprint(at) != fmt.Sprint(want) {
			t.Errorf("sends at %v, want %v", at, want)
		}
		if at := sendAll("c2", 1); at[0] != 0 {
			t.Errorf("another conversation waits %v", at[0])
		}
		// In any 30 s, at most 60.
		time.Sleep(time.Hour)
		at := sendAll("c3", 61)
		if at[60] < 30*time.Second {
			t.Errorf("61st send in a burst went at %v, want at least 30s", at[60])
		}
	})
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newConvLimiter([]window{{time.Hour, 1}})
		_ = l.Wait(t.Context(), "c")
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		if err := l.Wait(ctx, "c"); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 10*time.Second {
			t.Fatalf("Wait = %v after %v, want the context's deadline at 10s", err, time.Since(start))
		}
	})
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
