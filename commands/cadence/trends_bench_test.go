package cadence_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// Trend benchmark workspace: two years of a busy workspace (issue 13's
// measure: 200 outcomes, 50,000 requests, 5,000 escalations).
const (
	trendBenchOutcomes    = 200
	trendBenchRequests    = 50000
	trendBenchEscalations = 5000
	trendBenchOpen        = 100
)

var (
	trendBenchNow   = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	trendBenchStart = trendBenchNow.AddDate(-2, 0, 0)
	trendBenchOnce  sync.Once
	trendBenchPfx   string
	trendBenchErr   error
)

// roundTrips counts round trips (see storetest.RoundTrips).
type roundTrips = storetest.RoundTrips

// trendBenchStore seeds the two years once per process (in parallel, with
// the real operations) and returns a counted store on them.
func trendBenchStore(b *testing.B) (*store.Store, *roundTrips) {
	trendBenchOnce.Do(func() {
		s := storetest.NewShared(b, store.Options{})
		trendBenchPfx = s.Prefix()
		trendBenchErr = seedTwoYears(context.Background(), s)
	})
	if trendBenchErr != nil {
		b.Fatal(trendBenchErr)
	}
	rdb := storetest.Client(b)
	h := &roundTrips{}
	rdb.AddHook(h)
	return store.New(rdb, store.Options{Prefix: trendBenchPfx}), h
}

func seedTwoYears(ctx context.Context, s *store.Store) error {
	span := trendBenchNow.Sub(trendBenchStart)
	for i := range trendBenchOutcomes {
		if err := s.CreateOutcome(ctx, "T1", record.Outcome{Key: fmt.Sprint("o", i), Title: "outcome", CreatedAt: trendBenchStart}); err != nil {
			return err
		}
	}
	var (
		wg   sync.WaitGroup
		errs = make(chan error, 16)
	)
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < trendBenchRequests; i += 16 {
				at := trendBenchStart.Add(span / trendBenchRequests * time.Duration(i))
				outcome := ""
				if i%5 != 0 {
					outcome = fmt.Sprint("o", i%trendBenchOutcomes)
				}
				if _, err := s.Tag(ctx, "T1", fmt.Sprint("INC", i), outcome, "U1", "", at); err != nil {
					errs <- err
					return
				}
			}
			for i := w; i < trendBenchEscalations; i += 16 {
				at := trendBenchStart.Add(span / trendBenchEscalations * time.Duration(i))
				e, _, _, err := s.EscalateRequest(ctx, "T1", record.Escalation{Ref: fmt.Sprint("INC", i*10+1), Outcome: fmt.Sprint("o", (i*10+1)%trendBenchOutcomes), RaisedBy: "U1", RaisedAt: at})
				if err == nil && i < trendBenchEscalations-trendBenchOpen/2 {
					_, _, err = storetest.Ack(ctx, s, "T1", e.N, "U2", "", at.Add(time.Duration(1+i%9)*time.Hour))
				}
				if err == nil && i%(trendBenchEscalations/trendBenchOpen) != 0 {
					_, _, err = storetest.Resolve(ctx, s, "T1", e.N, "U2", "", at.Add(12*time.Hour))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func trendBenchCadence(s *store.Store) *cadence.Cadence {
	return commandstest.NewBot(s, commands.Config{Admins: []string{"UADMIN"}, DigestCron: "0 9 * * MON"},
		commandstest.NewClock(trendBenchNow), slog.New(slog.DiscardHandler)).Cadence
}

// dropTrends deletes the workspace's aggregates of the weeks matching
// glob ("*": all), so the pass rebuilds them.
func dropTrends(b *testing.B, s *store.Store, glob string) {
	keys, err := s.Client().Keys(context.Background(), s.Prefix()+":*:trend:"+glob).Result()
	if err == nil && len(keys) > 0 {
		err = s.Client().Del(context.Background(), keys...).Err()
	}
	if err != nil {
		b.Fatal(err)
	}
}

// benchPass times the pass after dropping the stored weeks matching glob,
// and reports its round trips.
func benchPass(b *testing.B, s *store.Store, h *roundTrips, glob string) {
	c := trendBenchCadence(s)
	ctx := context.Background()
	var rt int64
	for b.Loop() {
		b.StopTimer()
		dropTrends(b, s, glob)
		h.N.Store(0)
		b.StartTimer()
		if done, err := c.EnsureTrends(ctx, "T1", trendBenchNow, cadence.TrendHorizon); err != nil || !done {
			b.Fatal(done, err)
		}
		rt += h.N.Load()
	}
	b.ReportMetric(float64(rt)/float64(b.N), "roundtrips/op")
}

// BenchmarkTrendPass is the weekly aggregate pass of a workspace with no
// aggregates yet: two years of weeks (104) rebuilt from history and written.
// It also reports the Redis memory of the two years of aggregates.
func BenchmarkTrendPass(b *testing.B) {
	s, h := trendBenchStore(b)
	benchPass(b, s, h, "*")
	ctx := context.Background()
	keys, err := s.Client().Keys(ctx, s.Prefix()+":*:trend:2*").Result()
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, k := range keys {
		n, err := s.Client().MemoryUsage(ctx, k, 0).Result()
		if err != nil {
			b.Fatal(err)
		}
		bytes += n
	}
	b.ReportMetric(float64(len(keys)), "weeks")
	b.ReportMetric(float64(bytes), "trend-bytes")
}

// BenchmarkTrendWeeklyPass is the steady weekly pass: the week that just
// ended is computed from its history and written; the 103 before it are
// already stored.
func BenchmarkTrendWeeklyPass(b *testing.B) {
	s, h := trendBenchStore(b)
	if _, err := trendBenchCadence(s).EnsureTrends(context.Background(), "T1", trendBenchNow, cadence.TrendHorizon); err != nil {
		b.Fatal(err)
	}
	benchPass(b, s, h, record.TrendWeekStart(trendBenchNow).AddDate(0, 0, -7).Format("2006-01-02"))
}

// BenchmarkDigestWithTrends builds a channel's digest, twelve weeks of
// trends included, once the aggregates are written: its round trips do not
// grow with history.
func BenchmarkDigestWithTrends(b *testing.B) {
	s, h := trendBenchStore(b)
	c := trendBenchCadence(s)
	ctx := context.Background()
	if _, err := c.EnsureTrends(ctx, "T1", trendBenchNow, cadence.TrendHorizon); err != nil {
		b.Fatal(err)
	}
	h.N.Store(0)
	var rt int64
	for b.Loop() {
		h.N.Store(0)
		r, err := c.ChannelDigest(ctx, "T1", "CL", trendBenchNow, digest.Input{})
		if err != nil || len(r.Sections) == 0 {
			b.Fatal(err, r.Text)
		}
		rt += h.N.Load()
	}
	b.ReportMetric(float64(rt)/float64(b.N), "roundtrips/op")
}
