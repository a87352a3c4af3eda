package slack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// timedCore answers every command after delay, touching neither Redis nor
// the network, so the watchdog can be timed inside a synctest bubble.
type timedCore struct {
	st    *store.Store
	delay time.Duration
}

func (c timedCore) Handle(_ context.Context, req commands.Request) commands.Response {
	time.Sleep(c.delay)
	return commands.Response{Text: "tagged " + req.Text}
}
func (c timedCore) Deliver(context.Context, commands.Poster, []commands.Outgoing) error { return nil }
func (c timedCore) Clock() commands.Clock                                               { return commands.SystemClock{} }
func (c timedCore) Home(context.Context, string, string, time.Time) (commands.Response, error) {
	return commands.Response{}, nil
}
func (c timedCore) OpenForm(context.Context, commands.Request, string, commands.FormValues) commands.Response {
	return commands.Response{}
}
func (c timedCore) SubmitForm(context.Context, commands.Request, string, commands.FormValues) (commands.Response, commands.FormErrors) {
	return commands.Response{}, nil
}
func (c timedCore) SuggestForm(context.Context, commands.Request, string, string, string) []commands.Choice {
	return nil
}

// hookRecorder is an in-memory transport standing in for response_url: it
// records each answer with the bubble time it arrived.
type hookRecorder struct {
	start time.Time
	mu    sync.Mutex
	got   []timedReply
}

type timedReply struct {
	at   time.Duration
	body replyBody
}

func (h *hookRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	var b replyBody
	raw, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(raw, &b)
	h.mu.Lock()
	h.got = append(h.got, timedReply{time.Since(h.start), b})
	h.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("ok")), Request: r}, nil
}

// TestWatchdogAnswersSlackInTime: a slash command is answered exactly
// once: with its result when that is ready within CommandTimeout, else
// with "Working on it…" at CommandTimeout (inside Slack's 3 s), the
// result following through response_url as soon as it is ready.
func TestWatchdogAnswersSlackInTime(t *testing.T) {
	st := storetest.New(t)
	const timeout = 2500 * time.Millisecond
	cases := []struct {
		name      string
		delay     time.Duration
		replyAt   time.Duration
		replyText string
		hookAt    time.Duration // 0: no response_url answer
	}{
		{"fast", 300 * time.Millisecond, 300 * time.Millisecond, "tagged INC-9 pos", 0},
		{"just in time", timeout - time.Millisecond, timeout - time.Millisecond, "tagged INC-9 pos", 0},
		{"slow", 7 * time.Second, timeout, workingText, 7 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := Config{SigningSecret: testSecret, BotToken: "xoxb-test", APIURL: "http://slack.test/api/", CommandTimeout: timeout}
				a, err := newAdapter(cfg, timedCore{st: st, delay: c.delay}, st, testLogger(t))
				if err != nil {
					t.Fatal(err)
				}
				hooks := &hookRecorder{start: time.Now()}
				a.http = &http.Client{Transport: hooks}
				cmd := parseSlashCommand([]byte(url.Values{
					"team_id": {"T1"}, "user_id": {"U1"}, "channel_id": {"C1"}, "command": {"/tag"},
					"text": {"INC-9 pos"}, "response_url": {"http://slack.test/hooks/1"},
				}.Encode()))
				var replies []timedReply
				a.answerCommand(t.Context(), cmd, func(b replyBody) {
					replies = append(replies, timedReply{time.Since(hooks.start), b})
				})
				if err := a.Shutdown(t.Context()); err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				if len(replies) != 1 || replies[0].at != c.replyAt || !strings.Contains(replies[0].body.Text, c.replyText) {
					t.Fatalf("replies %+v; want one %q at %v", replies, c.replyText, c.replyAt)
				}
				hooks.mu.Lock()
				defer hooks.mu.Unlock()
				switch {
				case c.hookAt == 0 && len(hooks.got) != 0:
					t.Fatalf("response_url answered too: %+v", hooks.got)
				case c.hookAt != 0 && (len(hooks.got) != 1 || hooks.got[0].at != c.hookAt ||
					!strings.Contains(hooks.got[0].body.Text, "tagged INC-9 pos") || hooks.got[0].body.ResponseType != typeEphemeral):
					t.Fatalf("response_url answers %+v; want the result at %v", hooks.got, c.hookAt)
				}
			})
		})
	}
}
