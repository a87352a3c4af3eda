package cadence_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// Digest benchmark workspace: a year of a large workspace.
const (
	benchOutcomes    = 200
	benchRequests    = 50000
	benchEscalations = 5000
	benchOpen        = 100 // still open at the end, half of them acknowledged
	benchWS          = "T1"
)

var (
	benchNow     = time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)
	benchOnce    sync.Once
	benchPrefix  string
	benchSeedErr error
)

// seedBenchYear writes, once per process and through the store's own
// operations, a year of the benchmark workspace: outcomes, requests tagged
// as they come (every fifth left untagged), escalations raised on them,
// most acknowledged an hour later and resolved five hours later.
func seedBenchYear(b *testing.B) string {
	benchOnce.Do(func() {
		s := storetest.NewShared(b, store.Options{})
		benchPrefix = s.Prefix()
		benchSeedErr = seedYear(context.Background(), s)
	})
	if benchSeedErr != nil {
		b.Fatal(benchSeedErr)
	}
	return benchPrefix
}

func seedYear(ctx context.Context, s *store.Store) error {
	start := benchNow.AddDate(-1, 0, 0)
	year := benchNow.Sub(start)
	for i := range benchOutcomes {
		o := record.Outcome{Key: fmt.Sprintf("o%03d", i), Title: fmt.Sprintf("Outcome %d", i), KPI: "kpi", Owner: fmt.Sprintf("UB%03d", i),
			ITOwner: fmt.Sprintf("UI%02d", i%17), Status: record.OutcomeActive, CreatedAt: start}
		if err := s.CreateOutcome(ctx, benchWS, o); err != nil {
			return err
		}
	}
	// Eight writers at once: the seed takes seconds, not minutes.
	return parallel(8, benchRequests, func(i int) error {
		at := start.Add(year / benchRequests * time.Duration(i))
		outcome := ""
		if i%5 != 0 {
			outcome = fmt.Sprintf("o%03d", i%benchOutcomes)
		}
		if _, err := s.Tag(ctx, benchWS, fmt.Sprint("INC", i), outcome, "UTAG", "", at); err != nil {
			return err
		}
		if i%10 != 1 || (i/10) >= benchEscalations {
			return nil
		}
		k := i / 10
		e, _, _, err := s.EscalateRequest(ctx, benchWS, record.Escalation{Ref: fmt.Sprint("INC", i), RaisedBy: fmt.Sprintf("UR%02d", k%11), RaisedAt: at.Add(time.Minute)})
		if err != nil {
			return err
		}
		open := k%(benchEscalations/benchOpen) == 0
		if !open || k%2 == 0 {
			if _, _, _, err := s.Settle(ctx, benchWS, record.Settlement{N: e.N, Actor: "UACK", At: at.Add(time.Hour)}); err != nil {
				return err
			}
		}
		if !open {
			_, _, _, err = s.Settle(ctx, benchWS, record.Settlement{N: e.N, Resolve: true, Actor: "UFIX", At: at.Add(5 * time.Hour)})
		}
		return err
	})
}

// parallel runs f(0..n-1) on workers goroutines and returns the first error.
func parallel(workers, n int, f func(int) error) error {
	var (
		next  atomic.Int64
		first atomic.Value
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := f(i); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, ok := first.Load().(error); ok {
		return err
	}
	return nil
}

// BenchmarkDigestFromStore reads a channel's digest data from Redis and
// builds the digest, as the weekly run does, for a workspace of 200
// outcomes, 50,000 requests and 5,000 escalations over a year. It reports
// Redis round trips per digest, which do not grow with history (the store
// reads the two weeks' indexes, then their records).
//
//	go test ./commands/cadence/ -run '^$' -bench DigestFromStore -benchtime 20x
func BenchmarkDigestFromStore(b *testing.B) {
	prefix := seedBenchYear(b)
	rdb := storetest.Client(b)
	rt := &storetest.RoundTrips{}
	rdb.AddHook(rt)
	s := store.New(rdb, store.Options{Prefix: prefix})
	ctx := context.Background()
	build := func() (record.DigestData, int) {
		d, err := s.DigestData(ctx, benchWS, benchNow.AddDate(0, 0, -14), benchNow)
		if err != nil {
			b.Fatal(err)
		}
		r := digest.Build(digest.Input{Data: d, Now: benchNow, DefaultSLA: 4 * time.Hour})
		return d, len(r.Thread)
	}
	d, thread := build()
	if thread < 1 || thread > 3 {
		b.Fatalf("digest has %d thread messages, want 1 to 3", thread)
	}
	b.ReportAllocs()
	rt.N.Store(0)
	b.ResetTimer()
	for b.Loop() {
		build()
	}
	b.ReportMetric(float64(rt.N.Load())/float64(b.N), "roundtrips/op")
	b.ReportMetric(float64(len(d.NewRequests)), "new-requests")
	b.ReportMetric(float64(len(d.Escalations)), "escalations-read")
	b.ReportMetric(float64(thread), "thread-msgs")
}
