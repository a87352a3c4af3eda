package escalation_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// roundTrips counts what the client sends: one per command and one per
// pipeline however many commands it holds.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// BenchmarkQueue500: /escalate list for an IT lead with 500 open
// escalations across 50 outcomes: as the IT owner of all 50, and as an
// it-lead who owns none (every open one is theirs to see). Goal (issue
// 12): under 50 ms and at most 3 Redis round trips.
func BenchmarkQueue500(b *testing.B) {
	rdb := storetest.Client(b)
	h := &roundTrips{}
	rdb.AddHook(h)
	st := store.New(rdb, store.Options{Prefix: storetest.New(b).Prefix()})
	clock := commandstest.NewClock(commandstest.Start)
	bot := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}}, clock, nil)
	ctx := context.Background()
	run := func(user, line string) commands.Response {
		name, rest := commands.SplitCommand(commandstest.Inbound(line))
		return bot.Core.Handle(ctx, commands.Request{Workspace: "T1", Channel: "CGEN", User: user, Command: name, Text: rest})
	}
	run("UADMIN", "/outcome grant <@UOTHER|o> it-lead")
	for o := range 50 {
		run("UADMIN", fmt.Sprintf(`/outcome add o%02d "Outcome %d" it=<@ULEAD|lead> it-channel=<#CIT|it>`, o, o))
		for i := range 10 {
			ref := fmt.Sprintf("INC%02d%02d", o, i)
			run("UADMIN", "/tag "+ref+" "+fmt.Sprintf("o%02d", o))
			if r := run("UBIZ", "/escalate "+ref+" blocked"); !strings.Contains(r.Text, "raised") {
				b.Fatalf("raise %s: %s", ref, r.Text)
			}
			clock.Advance(1e9)
		}
	}
	for _, c := range []struct{ name, user string }{{"owner", "ULEAD"}, {"lead", "UOTHER"}} {
		b.Run(c.name, func(b *testing.B) {
			if r := run(c.user, "/escalate list"); !strings.Contains(r.Title, "1–25 of 500") {
				b.Fatalf("queue of %s: %q %s", c.user, r.Title, r.Text)
			}
			h.n.Store(0)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				run(c.user, "/escalate list")
			}
			trips := float64(h.n.Load()) / float64(b.N)
			b.ReportMetric(trips, "roundtrips/op")
			if trips > 3 {
				b.Errorf("%.1f round trips per queue, want at most 3", trips)
			}
			if per := b.Elapsed() / time.Duration(b.N); per > 50*time.Millisecond {
				b.Errorf("queue built in %v, want under 50ms", per)
			}
		})
	}
}
