package commands_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// roundTrips counts round trips (see storetest.RoundTrips).
type roundTrips = storetest.RoundTrips

// benchCore is a core on a fresh prefix with a round-trip counter.
func benchCore(b testing.TB) (*commands.Core, *store.Store, *roundTrips) {
	st := storetest.New(b)
	rt := &roundTrips{}
	st.Client().AddHook(rt)
	core := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}}, commandstest.NewClock(start), nil).Core
	return core, st, rt
}

func handle(b testing.TB, core *commands.Core, user, line string) commands.Response {
	name, rest := commands.SplitCommand(commandstest.Inbound(line))
	return core.Handle(context.Background(), commands.Request{Workspace: "T1", Channel: "C1", User: user, Command: name, Text: rest})
}

// TestStateChangesAreOneRoundTrip: tagging, escalating, acknowledging and
// resolving by an it-lead (role checked in the same script) each cost one
// Redis round trip, by command and by button.
func TestStateChangesAreOneRoundTrip(t *testing.T) {
	core, st, rt := benchCore(t)
	handle(t, core, "UADMIN", `/outcome add pos "Point of sale" it=<@UIT|it> it-channel=<#CIT|it>`)
	handle(t, core, "UADMIN", `/outcome grant <@UIT|it> it-lead`)
	// The first pass loads the scripts (EVALSHA, NOSCRIPT, EVAL: two round
	// trips each, once per server); the second is what every later call costs.
	for pass := range 2 {
		ref, e1, e2 := fmt.Sprintf("INC000000%d", pass+1), fmt.Sprintf("E-%d", 2*pass+1), fmt.Sprintf("E-%d", 2*pass+2)
		for _, s := range []struct{ user, line, want string }{
			{"U1", "/tag " + ref + " pos", "pos"},
			{"U1", "/escalate " + ref + " tills down", e1},
			{"UIT", "/ack " + e1 + " on it", "You acknowledged"},
			{"UIT", "/resolve " + e1 + " fixed", "You resolved"},
			{"U1", "/escalate " + ref + " down again", e2},
			{"U2", "/escalate " + ref + " Hull too", "already escalated as " + e2},
			{"UIT", "/escalate note " + e2 + " vendor called", "Note added"},
			{"UIT", "/escalate snooze " + e2 + " 1h", "snoozed until"},
			{"U1", "/escalate withdraw " + e2 + " came back by itself", "withdrew"},
			{"U1", "/escalate reopen " + e2 + " down again", "reopened"},
		} {
			rt.N.Store(0)
			r := handle(t, core, s.user, s.line)
			if got := commands.PlainText(r.Text); !strings.Contains(got, s.want) {
				t.Fatalf("%s: %q, want %q in it", s.line, got, s.want)
			}
			if n := rt.N.Load(); pass == 1 && n != 1 {
				t.Errorf("%s: %d round trips, want 1", s.line, n)
			}
		}
	}
	rt.N.Store(0)
	r := core.Handle(context.Background(), commands.Request{Workspace: "T1", Channel: "CIT", User: "UIT", Command: "/ack",
		Text: "E-4", Action: &commands.Action{Name: commands.ActionAck, Value: "E-4"}})
	if !r.Replace || rt.N.Load() != 1 {
		t.Errorf("button ack: replace=%v, %d round trips; want the card replaced in 1", r.Replace, rt.N.Load())
	}
	if e, _ := st.GetEscalation(context.Background(), "T1", 4); e.AckBy != "UIT" {
		t.Errorf("E-4 after the button: %+v", e)
	}
}

// BenchmarkTag is /tag through the core: parse, normalise, one atomic tag.
func BenchmarkTag(b *testing.B) {
	core, _, rt := benchCore(b)
	handle(b, core, "UADMIN", `/outcome add pos "Point of sale"`)
	lines := make([]string, 1024)
	for i := range lines {
		lines[i] = fmt.Sprintf("/tag INC%07d pos card readers", i)
	}
	b.ReportAllocs()
	rt.N.Store(0)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		handle(b, core, "U1", lines[i%len(lines)])
	}
	b.ReportMetric(float64(rt.N.Load())/float64(b.N), "roundtrips/op")
}

// BenchmarkEscalateAck raises an escalation and acknowledges it by command.
func BenchmarkEscalateAck(b *testing.B) {
	core, _, rt := benchCore(b)
	handle(b, core, "UADMIN", `/outcome add pos "Point of sale" it=<@UIT|it> it-channel=<#CIT|it>`)
	handle(b, core, "UADMIN", `/outcome grant <@UIT|it> it-lead`)
	handle(b, core, "U1", "/tag INC0000001 pos")
	b.ReportAllocs()
	rt.N.Store(0)
	b.ResetTimer()
	for i := 1; b.Loop(); i++ {
		handle(b, core, "U1", "/escalate INC0000001 tills down")
		handle(b, core, "UIT", fmt.Sprintf("/ack E-%d on it", i))
	}
	b.ReportMetric(float64(rt.N.Load())/float64(b.N), "roundtrips/op")
}

// BenchmarkDigest builds a leadership digest (/digest preview) on a
// workspace holding 200 outcomes, 50,000 requests and 5,000 escalations
// spread over a year. Its cost must follow the week, not the history.
func BenchmarkDigest(b *testing.B) {
	core, st, rt := benchCore(b)
	seedYear(b, st)
	handle(b, core, "U1", "/digest preview") // the first rebuilds the trends' missing weeks
	b.ReportAllocs()
	rt.N.Store(0)
	b.ResetTimer()
	var resp commands.Response
	for b.Loop() {
		resp = handle(b, core, "U1", "/digest preview")
	}
	b.ReportMetric(float64(rt.N.Load())/float64(b.N), "roundtrips/op")
	if len(resp.Thread) == 0 {
		b.Fatalf("digest has no detail: %s", text(resp))
	}
}

// seedYear writes a year of activity ending at start, in parallel.
func seedYear(b *testing.B, st *store.Store) {
	ctx := context.Background()
	const outcomes, requests, escalations = 200, 50000, 5000
	year := 365 * 24 * time.Hour
	for i := range outcomes {
		if err := st.CreateOutcome(ctx, "T1", record.Outcome{Key: fmt.Sprintf("o%03d", i), Title: fmt.Sprintf("Outcome %d", i),
			Status: record.OutcomeActive, ITOwner: "UIT", CreatedAt: start.Add(-year)}); err != nil {
			b.Fatal(err)
		}
	}
	parallel(b, requests, func(i int) error {
		at := start.Add(-year + time.Duration(i)*year/requests)
		outcome := fmt.Sprintf("o%03d", i%outcomes)
		if i%5 == 0 {
			outcome = "" // drift
		}
		_, err := st.Tag(ctx, "T1", fmt.Sprintf("INC%07d", i), outcome, "U1", "", at)
		return err
	})
	parallel(b, escalations, func(i int) error {
		at := start.Add(-year + time.Duration(i)*year/escalations)
		e, _, _, err := st.EscalateRequest(ctx, "T1", record.Escalation{Ref: fmt.Sprintf("INC%07d", i*10+1),
			Reason: "blocked", RaisedBy: "U1", RaisedIn: "C1", RaisedAt: at})
		if err != nil || i%17 == 0 {
			return err // about 300 stay open
		}
		if _, _, err := storetest.Ack(ctx, st, "T1", e.N, "UIT", "", at.Add(time.Duration(i%600)*time.Minute)); err != nil {
			return err
		}
		if i%3 == 0 {
			return nil
		}
		_, _, err = storetest.Resolve(ctx, st, "T1", e.N, "UIT", "", at.Add(24*time.Hour))
		return err
	})
}

func parallel(b *testing.B, n int, f func(i int) error) {
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				if err := f(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
