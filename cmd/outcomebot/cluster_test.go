package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/bot"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/redisproc"
)

// chat drives a core as chat users would.
type chat struct {
	t    *testing.T
	core *commands.Core
}

// say runs one command line and fails on an answer that means the store
// refused it (CROSSSLOT and the like surface as "something went wrong").
func (c chat) say(ws, user, channel, line string) commands.Response {
	c.t.Helper()
	name, rest := commands.SplitCommand(commandstest.Inbound(line))
	r := c.core.Handle(context.Background(), commands.Request{Workspace: ws, Channel: channel, User: user, Command: name, Text: rest})
	if strings.Contains(r.Text, "went wrong") || strings.Contains(r.Text, "Not recorded") {
		c.t.Fatalf("%s in %s: %s", line, ws, r.Text)
	}
	return r
}

// TestCoreOnThreeMasterCluster runs the bot's commands, the digest preview,
// BuildDigest on DigestData and a scheduled digest pass against a real
// 3-master Redis Cluster reached through the REDIS_CLUSTER_ADDRS setting
// (one address), in workspaces spread over the masters.
func TestCoreOnThreeMasterCluster(t *testing.T) {
	cluster := redisproc.StartCluster(t, 3)
	ctx := context.Background()
	env := map[string]string{"REDIS_CLUSTER_ADDRS": cluster.Addrs[1], "OUTCOMEBOT_ADMINS": "UADMIN"}
	cfg, _, err := parseConfig("serve", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	st, closeStore, err := openStore(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if _, ok := st.Client().(*redis.ClusterClient); !ok {
		t.Fatalf("REDIS_CLUSTER_ADDRS gave a %T", st.Client())
	}
	monday := time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC) // a Monday, before the 09:00 digest
	clock := commandstest.NewClock(monday.Add(-72 * time.Hour))
	p0 := assemble(st, cfg.core, clock, slog.New(slog.DiscardHandler))
	core := p0.core
	c := chat{t, core}
	var wss []string
	for i := range 6 {
		ws := fmt.Sprintf("TCL%02d", i)
		wss = append(wss, ws)
		c.say(ws, "UADMIN", "CIT", `/outcome add pos "Point of sale" kpi="in-store conversion" it=<@UIT|it> it-channel=<#CIT|it>`)
		c.say(ws, "UADMIN", "CIT", `/outcome grant <@UIT|it> it-lead`)
		c.say(ws, "UADMIN", "CLEAD", `/digest subscribe`)
		for n := range 5 {
			c.say(ws, "UBIZ", "CSTORE", fmt.Sprintf("/tag INC00%d pos", n))
		}
		c.say(ws, "UBIZ", "CSTORE", "/tag OPS-1")
		r := c.say(ws, "UBIZ", "CSTORE", "/escalate INC001 tills reject cards")
		if !strings.Contains(r.Text, "E-1") {
			t.Fatalf("escalate in %s: %s", ws, r.Text)
		}
		clock.Advance(time.Hour)
		c.say(ws, "UIT", "CIT", "/ack E-1 on it")
		c.say(ws, "UBIZ", "CSTORE", "/escalate INC002 printer down")
		c.say(ws, "UIT", "CIT", "/resolve E-2 fixed")
		c.say(ws, "UBIZ", "CSTORE", "/escalate list all")
	}
	clock.Set(monday)
	for _, ws := range wss {
		preview := c.say(ws, "UBIZ", "CLEAD", "/digest preview")
		if !strings.Contains(commands.PlainText(preview.Text+preview.Title), "2") || len(preview.Thread) == 0 {
			t.Errorf("digest preview in %s has no detail: %+v", ws, preview)
		}
		data, err := st.DigestData(ctx, ws, monday.Add(-14*24*time.Hour), monday)
		if err != nil {
			t.Fatalf("digest data in %s: %v", ws, err)
		}
		if len(data.Tags) != 5 || len(data.Escalations) != 2 {
			t.Errorf("digest data in %s: %d tags, %d escalations", ws, len(data.Tags), len(data.Escalations))
		}
		if d := digest.Build(digest.Input{Data: data, Now: monday}); d.Text == "" {
			t.Errorf("empty digest in %s", ws)
		}
	}
	// The scheduled pass at 09:00 posts each leadership channel's digest
	// once, with its claims and records on the cluster.
	p := &commandstest.Poster{}
	sched := bot.NewScheduler(p0.cadence, p0.triage, bot.OnePoster(p), clock, bot.SchedulerOptions{Log: slog.New(slog.DiscardHandler)})
	at := monday.Add(time.Hour)
	for range 2 {
		if err := sched.Tick(ctx, at); err != nil {
			t.Fatalf("scheduled pass: %v", err)
		}
	}
	if st := sched.Stats(); st.Posted != uint64(len(wss)) || st.Failed != 0 {
		t.Errorf("scheduled digests: %+v; want %d posted once each", st, len(wss))
	}
}
