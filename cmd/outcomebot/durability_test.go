package main

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/redisproc"
)

// TestAcknowledgedChangesSurviveKill9 is the durability promise with the
// shipped Redis settings (AOF, appendfsync always): a burst of commands
// through the core from several users at once, redis-server killed with
// SIGKILL in the middle, restarted on the same directory; every change a
// user was told had been made is there, and those answered "Not recorded"
// are the only ones that may be missing.
func TestAcknowledgedChangesSurviveKill9(t *testing.T) {
	tagged, escalated, st2 := burstAndKill(t, "--appendonly", "yes", "--appendfsync", "always")
	ctx := context.Background()
	for _, ref := range tagged {
		r, err := st2.GetRequest(ctx, durableWS, ref)
		if err != nil || r.Outcome != "pos" || len(r.History) != 1 {
			t.Errorf("acknowledged tag of %s lost after SIGKILL: %+v, %v", ref, r, err)
		}
	}
	for _, n := range escalated {
		if e, err := st2.GetEscalation(ctx, durableWS, n); err != nil || e.State != store.StateOpen {
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
	core := commands.New(st, commands.Config{Admins: []string{"UADMIN"}}, nil, slog.New(slog.DiscardHandler))
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
	time.Sleep(300 * time.Millisecond)
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
