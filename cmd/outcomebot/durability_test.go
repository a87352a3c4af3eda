package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/redisproc"
)

// childServeEnv, set to "serve" in the environment, makes this test binary
// run `outcomebot serve` instead of the tests: a real process for
// TestBotKill9KeepsAcknowledgedChanges to kill.
const childServeEnv = "OUTCOMEBOT_TEST_CHILD"

func init() {
	if os.Getenv(childServeEnv) != "serve" {
		return
	}
	if err := run(context.Background(), []string{"serve"}, strings.NewReader(""), io.Discard, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "outcomebot:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// shippedRedisArgs are the redis.conf settings of the shipped Kubernetes
// manifest (manifests/deploy/kubernetes/redis.yaml) as redis-server
// arguments, less those that place it (dir, port) or size it.
func shippedRedisArgs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../manifests/deploy/kubernetes/redis.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, conf, ok := strings.Cut(string(b), "redis.conf: |\n")
	if !ok {
		t.Fatal("redis.yaml has no redis.conf")
	}
	var args []string
	for _, line := range strings.Split(conf, "\n") {
		if !strings.HasPrefix(line, "    ") { // the end of the block
			break
		}
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "dir", "port", "maxmemory", "protected-mode":
			continue
		}
		args = append(args, "--"+f[0])
		for _, v := range f[1:] {
			args = append(args, strings.Trim(v, `"`))
		}
	}
	if !slices.Contains(args, "--appendfsync") {
		t.Fatalf("shipped redis.conf parsed to %q: no appendfsync", args)
	}
	return args
}

// TestBotKill9KeepsAcknowledgedChanges: `outcomebot serve` as its own
// process on a Redis with the shipped settings takes a burst of signed
// /tag slash commands from four users; the bot is killed with SIGKILL in
// the middle of it, then redis-server too. After both restart, every /tag
// that was answered as recorded is there, and the restarted bot shows it.
func TestBotKill9KeepsAcknowledgedChanges(t *testing.T) {
	rs := redisproc.Start(t, redisproc.Options{Args: shippedRedisArgs(t)})
	redisURL := "redis://" + rs.Addr + "/0"
	startBot := func() (*exec.Cmd, *served) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		s := &served{t: t, base: "http://" + addr, stderr: &syncBuffer{}}
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), childServeEnv+"=serve", "REDIS_URL="+redisURL, "OUTCOMEBOT_ADDR="+addr,
			"SLACK_SIGNING_SECRET="+testSigningSecret, "SLACK_BOT_TOKEN="+testBotToken,
			"SLACK_API_URL=http://127.0.0.1:9/api/", "OUTCOMEBOT_ADMINS=UADMIN", "OUTCOMEBOT_LOG_LEVEL=warn")
		cmd.Stderr = s.stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		s.waitStatus("/readyz", http.StatusOK)
		return cmd, s
	}
	bot, s := startBot()
	if code, text := s.command("UADMIN", "/outcome", `add pos "Point of sale"`); code != http.StatusOK || !strings.Contains(text, "pos") {
		t.Fatalf("define the outcome: %d %q", code, text)
	}

	var (
		mu      sync.Mutex
		tagged  []string
		failed  atomic.Int64
		stopped atomic.Bool
		wg      sync.WaitGroup
	)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stopped.Load(); i++ {
				ref := fmt.Sprintf("INC%d%06d", w+1, i)
				code, text, err := slackPost(s.base+"/slack/commands", commandForm(fmt.Sprintf("U%d", w), "/tag", ref+" pos"), true)
				if err != nil || code != http.StatusOK || !strings.Contains(text, "→") {
					failed.Add(1)
					continue
				}
				mu.Lock()
				tagged = append(tagged, ref)
				mu.Unlock()
			}
		})
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(tagged) >= 50 })
	if err := bot.Process.Kill(); err != nil { // SIGKILL while the burst runs
		t.Fatal(err)
	}
	_ = bot.Wait()
	time.Sleep(100 * time.Millisecond)
	stopped.Store(true)
	wg.Wait()
	rs.Kill()
	rs.Restart()
	if len(tagged) < 20 || failed.Load() == 0 {
		t.Fatalf("the kill did not land inside the burst: %d acknowledged, %d failed", len(tagged), failed.Load())
	}
	t.Logf("%d tags acknowledged before the bot was killed, %d requests failed after", len(tagged), failed.Load())

	st, closeStore, err := store.Open(context.Background(), redisURL)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	for _, ref := range tagged {
		if r, err := st.GetRequest(context.Background(), "T0SERVE", ref); err != nil || r.Outcome != "pos" {
			t.Errorf("acknowledged tag of %s lost after kill -9 of the bot and of Redis: %+v, %v", ref, r, err)
		}
	}
	_, s2 := startBot()
	if code, text := s2.command("U9", "/tag", tagged[len(tagged)-1]); code != http.StatusOK || !strings.Contains(text, "pos") {
		t.Errorf("the restarted bot shows %s as %d %q", tagged[len(tagged)-1], code, text)
	}
}

// TestAcknowledgedChangesSurviveKill9 is the durability promise with the
// shipped Redis settings (AOF, appendfsync always): a burst of commands
// through the core from several users at once, redis-server killed with
// SIGKILL in the middle, restarted on the same directory; every change a
// user was told had been made is there, and those answered "Not recorded"
// are the only ones that may be missing.
func TestAcknowledgedChangesSurviveKill9(t *testing.T) {
	tagged, escalated, st2 := burstAndKill(t, shippedRedisArgs(t)...)
	ctx := context.Background()
	for _, ref := range tagged {
		r, err := st2.GetRequest(ctx, durableWS, ref)
		if err != nil || r.Outcome != "pos" || len(r.History) != 1 {
			t.Errorf("acknowledged tag of %s lost after SIGKILL: %+v, %v", ref, r, err)
		}
	}
	for _, n := range escalated {
		if e, err := st2.GetEscalation(ctx, durableWS, n); err != nil || e.State != record.StateOpen {
			t.Errorf("acknowledged E-%d lost after SIGKILL: %+v, %v", n, e, err)
		}
	}
	d, err := st2.DigestData(ctx, durableWS, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || d.OpenTagged["pos"] < len(tagged) {
		t.Errorf("after restart the outcome's open set holds %d, want at least %d (%v)", d.OpenTagged["pos"], len(tagged), err)
	}
}

// TestWithoutPersistenceKill9LosesEverything is the control: the same
// burst and SIGKILL on a Redis without AOF or snapshots comes back empty,
// so the test above would notice persistence being off.
func TestWithoutPersistenceKill9LosesEverything(t *testing.T) {
	tagged, _, st2 := burstAndKill(t, "--appendonly", "no")
	if _, err := st2.GetRequest(context.Background(), durableWS, tagged[0]); err == nil {
		t.Fatal("a Redis without persistence kept data across SIGKILL: the durability test proves nothing")
	}
}

// durableWS is the workspace of the durability tests.
const durableWS = "TDURABLE"

// burstAndKill starts redis-server with args, runs a burst of /tag and
// /escalate through the core from four users at once, kills redis-server
// with SIGKILL in the middle of it, restarts it on the same directory, and
// returns what was acknowledged and a store on the restarted server.
func burstAndKill(t *testing.T, args ...string) (tagged []string, escalated []int64, after *store.Store) {
	t.Helper()
	srv := redisproc.Start(t, redisproc.Options{Args: args})
	url := "redis://" + srv.Addr + "/0?dial_timeout=200ms&read_timeout=500ms&write_timeout=500ms&max_retries=-1"
	ctx := context.Background()
	st, closeStore, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	core := assemble(st, commands.Config{Admins: []string{"UADMIN"}}, nil, slog.New(slog.DiscardHandler)).core
	c := chat{t, core}
	ws := durableWS
	c.say(ws, "UADMIN", "CIT", `/outcome add pos "Point of sale" it-channel=<#CIT|it>`)

	var (
		mu      sync.Mutex
		refused atomic.Int64
		stop    atomic.Bool
		wg      sync.WaitGroup
	)
	raised := regexp.MustCompile(`E-(\d+)`)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				ref := fmt.Sprintf("INC%d%06d", w+1, i)
				r := core.Handle(ctx, commands.Request{Workspace: ws, Channel: "CSTORE", User: fmt.Sprintf("U%d", w), Command: "/tag", Text: ref + " pos"})
				if !strings.Contains(r.Text, "→") {
					refused.Add(1)
					continue
				}
				mu.Lock()
				tagged = append(tagged, ref)
				mu.Unlock()
				if i%5 != 0 {
					continue
				}
				r = core.Handle(ctx, commands.Request{Workspace: ws, Channel: "CSTORE", User: fmt.Sprintf("U%d", w), Command: "/escalate", Text: ref + " stuck"})
				if m := raised.FindStringSubmatch(r.Text); m != nil && strings.Contains(r.Text, "raised") {
					n, _ := strconv.ParseInt(m[1], 10, 64)
					mu.Lock()
					escalated = append(escalated, n)
					mu.Unlock()
				}
			}
		})
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(tagged) >= 50 })
	srv.Kill() // SIGKILL while the burst runs
	time.Sleep(200 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	srv.Restart()

	if len(tagged) < 20 || refused.Load() == 0 {
		t.Fatalf("the kill did not land inside the burst: %d acknowledged, %d refused", len(tagged), refused.Load())
	}
	t.Logf("%d tags and %d escalations acknowledged before SIGKILL, %d commands refused after", len(tagged), len(escalated), refused.Load())
	st2, close2, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { close2() })
	return tagged, escalated, st2
}

// waitFor polls cond until it holds, failing the test after 30 s: a burst
// is killed once enough of it was acknowledged, however slow the machine.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the burst to get going")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
