package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store/redisproc"
)

// Secrets the serve tests configure; none may appear in the logs.
const (
	testSigningSecret = "s3cret-signing-secret-for-tests"
	testBotToken      = "xoxb-0000-secret-bot-token"
	testRedisPassword = "redis-pw-secret-77"
	testIntakeToken   = "intake-token-secret-0123456789abcdef"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is `outcomebot serve` running in the test process.
type served struct {
	t      *testing.T
	base   string
	stop   context.CancelFunc // what SIGTERM does
	done   chan error         // runServe's result
	stderr *syncBuffer
	redis  *redisproc.Server
}

// startServe runs serve on a private password-protected Redis with Slack
// on (its Web API unreachable: only answers to commands are checked), with
// env added, and waits until it is ready.
func startServe(t *testing.T, env map[string]string) *served {
	t.Helper()
	rs := redisproc.Start(t, redisproc.Options{Args: []string{"--requirepass", testRedisPassword}})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	vars := map[string]string{
		"REDIS_URL":            "redis://:" + testRedisPassword + "@" + rs.Addr + "/0",
		"OUTCOMEBOT_ADDR":      addr,
		"SLACK_SIGNING_SECRET": testSigningSecret,
		"SLACK_BOT_TOKEN":      testBotToken,
		"SLACK_API_URL":        "http://127.0.0.1:9/api/",
		"OUTCOMEBOT_ADMINS":    "UADMIN",
		"OUTCOMEBOT_LOG_LEVEL": "debug",
	}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{t: t, base: "http://" + addr, stop: cancel, done: make(chan error, 1), stderr: &syncBuffer{}, redis: rs}
	go func() {
		s.done <- run(ctx, []string{"serve"}, strings.NewReader(""), io.Discard, s.stderr, func(k string) string { return vars[k] })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	s.waitStatus("/readyz", http.StatusOK)
	return s
}

// get returns the status and body of GET path.
func (s *served) get(path string) (int, string) {
	s.t.Helper()
	res, err := http.Get(s.base + path)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// waitStatus polls GET path until it answers want.
func (s *served) waitStatus(path string, want int) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, body := s.get(path)
		if code == want {
			return body
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("GET %s = %d %q, want %d; logs:\n%s", path, code, body, want, s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// command posts a signed slash command and returns the status and reply text.
func (s *served) command(user, command, text string) (int, string) {
	s.t.Helper()
	return s.post("/slack/commands", commandForm(user, command, text), true)
}

// post sends body to path, signed as Slack signs when sign is set.
func (s *served) post(path, body string, sign bool) (int, string) {
	s.t.Helper()
	code, text, err := slackPost(s.base+path, body, sign)
	if err != nil {
		s.t.Fatal(err)
	}
	return code, text
}

// slackPost sends a form body to url, signed with testSigningSecret as
// Slack signs when sign is set, and returns the status and the reply's
// text (the body when it has none).
func slackPost(url, body string, sign bool) (int, string, error) {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sign {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(testSigningSecret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var reply struct{ Text string }
	if json.Unmarshal(b, &reply) == nil && reply.Text != "" {
		return res.StatusCode, reply.Text, nil
	}
	return res.StatusCode, string(b), nil
}

// commandForm is a slash command's form body from user in team T0SERVE.
func commandForm(user, command, text string) string {
	return url.Values{"team_id": {"T0SERVE"}, "channel_id": {"C0GEN"}, "user_id": {user}, "user_name": {"u"},
		"command": {command}, "text": {text}, "response_url": {"http://127.0.0.1:9/hook"}, "trigger_id": {"1.2"}}.Encode()
}

// intake posts body to the intake endpoint with the workspace's token.
func (s *served) intake(body string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/api/intake/requests", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testIntakeToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServe runs serve end to end: health, readiness following Redis,
// commands counted in /metrics, size caps, SIGTERM with readiness turning
// 503 during the drain delay while liveness stays 200, and JSON logs that
// carry no secret.
func TestServe(t *testing.T) {
	s := startServe(t, map[string]string{"OUTCOMEBOT_DRAIN_DELAY": "400ms", "OUTCOMEBOT_SHUTDOWN_TIMEOUT": "10s",
		"OUTCOMEBOT_INTAKE_TOKENS": "T0SERVE=" + testIntakeToken})
	if code, body := s.get("/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, text := s.command("UADMIN", "/outcome", "whoami"); code != http.StatusOK || !strings.Contains(text, "UADMIN") {
		t.Errorf("/outcome whoami = %d %q", code, text)
	}
	if code, _ := s.command("UADMIN", "/outcome", `add pos "Point of sale"`); code != http.StatusOK {
		t.Errorf("/outcome add = %d", code)
	}
	s.command("U1", "/tag", "INC1 nosuch")
	if code, _ := s.post("/slack/commands", "token=x", false); code != http.StatusUnauthorized {
		t.Errorf("unsigned command = %d, want 401", code)
	}
	if code, _ := s.post("/slack/commands", strings.Repeat("a", 2<<20), true); code != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB command = %d, want 413", code)
	}
	if code, _ := s.post("/nothing-here", strings.Repeat("a", 2<<20), false); code != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB to an unknown route = %d, want 413", code)
	}

	// The intake is on, and its route takes more than the 1 MiB ceiling.
	if code, body := s.intake(`[{"ref":"INC0090001","title":"Till 4"}]`); code != http.StatusOK || !strings.Contains(body, `"created":1`) {
		t.Errorf("intake = %d %s", code, body)
	}
	if code, body := s.intake("[" + strings.Repeat(" ", 2<<20) + "]"); code == http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB intake call = %d %s: the intake's own 8 MiB limit must apply", code, body)
	}
	if code, _ := s.intake("[" + strings.Repeat(" ", 10<<20) + "]"); code != http.StatusRequestEntityTooLarge {
		t.Errorf("10 MiB intake call = %d, want 413", code)
	}

	_, m := s.get("/metrics")
	for _, want := range []string{
		`outcomebot_commands_total{command="outcome",result="ok"} 2`,
		`outcomebot_commands_total{command="tag",result="user_error"} 1`,
		`outcomebot_command_duration_seconds_count{command="outcome"} 2`,
		`outcomebot_http_requests_total{code="200",route="POST /slack/commands"} 3`,
		`outcomebot_http_requests_total{code="401",route="POST /slack/commands"} 1`,
		`outcomebot_digests_total{outcome="posted"} 0`,
		`outcomebot_build_info{version="dev"} 1`,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	s.redis.Kill()
	if body := s.waitStatus("/readyz", http.StatusServiceUnavailable); !strings.Contains(body, "redis") {
		t.Errorf("/readyz with Redis down: %q", body)
	}
	// The answer is "Not recorded", or "Working on it…" when go-redis's
	// reconnect attempts outlast Slack's deadline (the verdict then goes
	// to response_url); never a pretend success.
	if code, text := s.command("U1", "/tag", "INC2 pos"); code != http.StatusOK ||
		!(strings.Contains(text, "Not recorded") || strings.Contains(text, "Working on it")) {
		t.Errorf("/tag with Redis down = %d %q", code, text)
	}
	s.redis.Restart()
	s.waitStatus("/readyz", http.StatusOK)
	if _, m := s.get("/metrics"); !strings.Contains(m, "outcomebot_redis_errors_total{kind=") {
		t.Error("Redis errors not counted")
	}

	s.stop() // SIGTERM
	if body := s.waitStatus("/readyz", http.StatusServiceUnavailable); !strings.Contains(body, "shutting down") {
		t.Errorf("/readyz while draining: %q", body)
	}
	if code, _ := s.get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while draining = %d, want 200", code)
	}
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after SIGTERM")
	}
	if _, err := http.Get(s.base + "/healthz"); err == nil {
		t.Error("still listening after shutdown")
	}
	checkLogs(t, s.stderr.String())
}

// checkLogs: every line is a JSON object, shutdown is logged, and no
// configured secret appears.
func checkLogs(t *testing.T, logs string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Errorf("log line is not JSON: %s", sc.Text())
		}
	}
	for _, want := range []string{`"msg":"outcomebot serving"`, `"msg":"shutting down"`, `"msg":"shut down"`, `"redis":"standalone redis://:xxxxx@`,
		`"msg":"platforms on","platforms":"slack"`, `"msg":"platform off","platform":"teams"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	for _, secret := range []string{testSigningSecret, testBotToken, testRedisPassword, testIntakeToken} {
		if strings.Contains(logs, secret) {
			t.Errorf("a secret (%.6s…) is in the logs", secret)
		}
	}
}

// TestServeRefusesBadSettings: bad serve settings fail at start.
func TestServeRefusesBadSettings(t *testing.T) {
	for env, val := range map[string]string{
		"OUTCOMEBOT_RETENTION":        "2h",
		"REDIS_SENTINEL_MASTER":       "only-the-master",
		"REDIS_CLUSTER_ADDRS":         "nonsense",
		"OUTCOMEBOT_TRIAGE_CRON":      "bogus",
		"OUTCOMEBOT_SHUTDOWN_TIMEOUT": "banana",
		"OUTCOMEBOT_DRAIN_DELAY":      "-5s",
		"OUTCOMEBOT_BUSINESS_HOURS":   "Mon-Fri 8-18 London",
		"OUTCOMEBOT_HOLIDAYS":         "25/12/2026",
	} {
		err := run(context.Background(), []string{"serve"}, strings.NewReader(""), io.Discard, io.Discard,
			func(k string) string { return map[string]string{env: val, "OUTCOMEBOT_ADDR": "127.0.0.1:0"}[k] })
		if err == nil {
			t.Errorf("%s=%s: serve started", env, val)
		} else if !strings.Contains(err.Error(), env) && !strings.HasPrefix(env, "REDIS_") {
			t.Errorf("%s=%s: the error does not name the setting: %v", env, val, err)
		}
	}
}
