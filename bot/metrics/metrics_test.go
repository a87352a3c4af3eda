package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/bot/metrics"
	"github.com/outcomebot/outcomebot/bot/slack"
	"github.com/outcomebot/outcomebot/bot/teams"
	"github.com/outcomebot/outcomebot/commands"
)

// The observers other packages declare are all satisfied.
var (
	_ commands.Observer = (*metrics.Metrics)(nil)
	_ slack.Observer    = (*metrics.Platform)(nil)
	_ teams.Observer    = (*metrics.Platform)(nil)
)

// scrape returns the exposition text of m.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics status %d", rec.Code)
	}
	return rec.Body.String()
}

// expect fails unless every line is in the exposition text.
func expect(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, l+"\n") {
			t.Errorf("metrics lack %q", l)
		}
	}
}

func TestCoreAndDigestMetrics(t *testing.T) {
	m := metrics.New("v1.2.3")
	m.CommandHandled("tag", commands.ResultOK, 3*time.Millisecond)
	m.CommandHandled("tag", commands.ResultOK, 4*time.Millisecond)
	m.CommandHandled("ack", commands.ResultUserError, time.Millisecond)
	m.EscalationChanged(commands.EscalationRaised, 0)
	m.EscalationChanged(commands.EscalationAcknowledged, 90*time.Minute)
	m.HTTPRequest("POST /slack/commands", 200, 2*time.Millisecond)
	m.Panic()
	m.Expired("request", 3)
	m.WatchDigests(func() metrics.DigestCounts { return metrics.DigestCounts{Posted: 5, Late: 1, Failed: 2} })
	m.WatchScheduler(func() metrics.SchedulerState {
		return metrics.SchedulerState{LastTick: time.Unix(1764000000, 0), LadderSent: 7, LadderLost: 1, LadderRetried: 4}
	})
	text := scrape(t, m)
	expect(t, text,
		`outcomebot_commands_total{command="tag",result="ok"} 2`,
		`outcomebot_commands_total{command="ack",result="user_error"} 1`,
		`outcomebot_command_duration_seconds_bucket{command="tag",le="0.005"} 2`,
		`outcomebot_escalations_total{event="raised"} 1`,
		`outcomebot_escalations_total{event="acknowledged"} 1`,
		`outcomebot_escalation_time_to_acknowledge_seconds_bucket{le="3600"} 0`,
		`outcomebot_escalation_time_to_acknowledge_seconds_bucket{le="7200"} 1`,
		`outcomebot_http_requests_total{code="200",route="POST /slack/commands"} 1`,
		`outcomebot_http_panics_total 1`,
		`outcomebot_retention_expired_total{kind="request"} 3`,
		`outcomebot_digests_total{outcome="posted"} 5`,
		`outcomebot_digests_total{outcome="late"} 1`,
		`outcomebot_digests_total{outcome="missed"} 0`,
		`outcomebot_digests_total{outcome="failed"} 2`,
		`outcomebot_build_info{version="v1.2.3"} 1`,
		`outcomebot_scheduler_last_tick_timestamp_seconds 1.764e+09`,
		`outcomebot_ladder_steps_total{outcome="sent"} 7`,
		`outcomebot_ladder_steps_total{outcome="lost"} 1`,
		`outcomebot_ladder_steps_total{outcome="retried"} 4`,
	)
	if !strings.Contains(text, "process_resident_memory_bytes") || !strings.Contains(text, "go_goroutines") {
		t.Error("process or Go runtime collectors missing")
	}
}

func TestPlatformMetrics(t *testing.T) {
	m := metrics.New("test")
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	p := m.Platform("slack")
	client := &http.Client{Transport: p.Transport(http.DefaultTransport)}
	for _, s := range []int{200, 200, 429, 503} {
		status = s
		res, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	srv.Close()
	if _, err := client.Get(srv.URL); err == nil {
		t.Fatal("call to a closed server succeeded")
	}
	p.Retried(429)
	p.Retried(0)
	m.Platform("teams").Retried(502)
	p.Panicked()
	expect(t, scrape(t, m),
		`outcomebot_background_panics_total{platform="slack"} 1`,
		`outcomebot_platform_api_calls_total{code="2xx",platform="slack"} 2`,
		`outcomebot_platform_api_calls_total{code="429",platform="slack"} 1`,
		`outcomebot_platform_api_calls_total{code="5xx",platform="slack"} 1`,
		`outcomebot_platform_api_calls_total{code="error",platform="slack"} 1`,
		`outcomebot_platform_rate_limited_total{platform="slack"} 1`,
		`outcomebot_platform_retries_total{platform="slack",reason="429"} 1`,
		`outcomebot_platform_retries_total{platform="slack",reason="connection"} 1`,
		`outcomebot_platform_retries_total{platform="teams",reason="5xx"} 1`,
	)
}

// TestRedisHook counts error replies (alone and in a pipeline) and failed
// dials, but not missing keys.
func TestRedisHook(t *testing.T) {
	m := metrics.New("test")
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	rdb.AddHook(m.RedisHook())
	ctx := context.Background()
	rdb.Set(ctx, "word", "x", 0)
	if err := rdb.Get(ctx, "missing").Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("get missing key: %v", err)
	}
	if err := rdb.Incr(ctx, "word").Err(); err == nil {
		t.Fatal("INCR of a word: want an error reply")
	}
	pipe := rdb.Pipeline()
	pipe.Incr(ctx, "word")
	pipe.Get(ctx, "missing")
	pipe.Incr(ctx, "word")
	pipe.Exec(ctx)

	addr := mr.Addr()
	mr.Close()
	gone := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer gone.Close()
	gone.AddHook(m.RedisHook())
	if err := gone.Ping(ctx).Err(); err == nil {
		t.Fatal("ping of a stopped server succeeded")
	}
	text := scrape(t, m)
	expect(t, text, `outcomebot_redis_errors_total{kind="server"} 3`)
	if !strings.Contains(text, `outcomebot_redis_errors_total{kind="dial"}`) {
		t.Errorf("failed dial not counted")
	}
}
