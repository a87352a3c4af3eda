package slack

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// BenchmarkSlashCommand measures the hot path the peer benchmark measures:
// a signed /tag through the HTTP handler (verify, parse, core.Handle on a
// real Redis, encode the ephemeral reply), without the network.
func BenchmarkSlashCommand(b *testing.B) {
	st := storetest.New(b)
	core := commandstest.NewBot(st, commands.Config{Admins: []string{"U0ADMIN"}}, nil, nil).Core
	a, err := New(Config{SigningSecret: testSecret, BotToken: "xoxb-bench", APIURL: "http://127.0.0.1:9/"}, core, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	form := func(user, command, text string, n int) string {
		return url.Values{
			"token": {"x"}, "team_id": {"T0BENCH01"}, "team_domain": {"bench"}, "channel_id": {"C0BENCH01"},
			"channel_name": {"bench"}, "user_id": {user}, "user_name": {"bench"}, "command": {command}, "text": {text},
			"api_app_id": {"A0BENCH"}, "is_enterprise_install": {"false"},
			"response_url": {"https://hooks.slack.com/commands/T0BENCH01/1/x"}, "trigger_id": {"t." + strconv.Itoa(n)},
		}.Encode()
	}
	serve := func(body string) *httptest.ResponseRecorder {
		r := signedRequest(b, "http://bench/slack/commands", testSecret, "application/x-www-form-urlencoded", body, time.Now())
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	if w := serve(form("U0ADMIN", "/outcome", `add pos "Point of sale"`, 0)); !strings.Contains(w.Body.String(), "pos") {
		b.Fatalf("setup: %s", w.Body)
	}
	// Sign outside the timed loop, as Slack does.
	bodies := make([]*http.Request, b.N)
	for i := range bodies {
		bodies[i] = signedRequest(b, "http://bench/slack/commands", testSecret, "application/x-www-form-urlencoded",
			form("U0BENCH01", "/tag", "INC-"+strconv.Itoa(i)+" pos", i), time.Now())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, bodies[i])
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"ephemeral"`) {
			b.Fatalf("HTTP %d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkVerify is the signature check alone.
func BenchmarkVerify(b *testing.B) {
	now := time.Now()
	v := newVerifier(testSecret, func() time.Time { return now })
	body := []byte(strings.Repeat("x", 400))
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{headerSignature: {sign(testSecret, ts, body)}, headerTimestamp: {ts}}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}
