package cadence_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// BenchmarkLadderPass10k is one scheduler pass over a workspace with 10,000
// open escalations under business hours (Mon-Fri 08:00-18:00 London): the
// open escalations and the outcomes read, each one's due step counted in
// business time. None is due (all raised in the last hour of a Monday
// morning), so the figure is the pass itself, not the posting. The goal
// is < 200 ms.
func BenchmarkLadderPass10k(b *testing.B) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		b.Fatal(err)
	}
	h, err := commands.ParseBusinessHours("Mon-Fri 08:00-18:00 Europe/London", nil)
	if err != nil {
		b.Fatal(err)
	}
	st := storetest.New(b)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, loc)
	bot := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}, BusinessHours: h, DefaultTZ: loc},
		commandstest.NewClock(now), nil)
	ctx := context.Background()
	for i := range 50 {
		key := fmt.Sprintf("o%02d", i)
		r := bot.Core.Handle(ctx, commands.Request{Workspace: "T1", User: "UADMIN", Channel: "CGEN", Command: "/outcome",
			Text: fmt.Sprintf(`add %s "Outcome %d" it-channel=%s`, key, i, commands.ChannelMention("CIT", "it"))})
		if r.Form != nil || r.Text == "" {
			b.Fatalf("outcome: %+v", r)
		}
	}
	for i := range 10000 {
		at := now.Add(-time.Duration(i%3600) * time.Second)
		if _, _, _, err := st.EscalateRequest(ctx, "T1", record.Escalation{Ref: fmt.Sprintf("INC%07d", i), Outcome: fmt.Sprintf("o%02d", i%50),
			Reason: "tills down", RaisedBy: "UBIZ", RaisedIn: "CSTORE", RaisedAt: at}); err != nil {
			b.Fatal(err)
		}
	}
	rt := &storetest.RoundTrips{}
	st.Client().AddHook(rt)
	p := &commandstest.Poster{}
	opts := cadence.DueOptions{Holder: "bench"}
	if err := bot.Cadence.RunDueWith(ctx, p, now, opts); err != nil { // warm: trend weeks written once
		b.Fatal(err)
	}
	rt.N.Store(0)
	b.ResetTimer()
	for b.Loop() {
		if err := bot.Cadence.RunDueWith(ctx, p, now, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rt.N.Load())/float64(b.N), "roundtrips/op")
	if n := len(p.Posts()); n != 0 {
		b.Fatalf("%d posts: none should be due", n)
	}
}
