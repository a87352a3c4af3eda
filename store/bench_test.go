package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// roundTrips counts round trips (see storetest.RoundTrips).
type roundTrips = storetest.RoundTrips

// countedStore returns a Store on prefix with a fresh, counted client.
func countedStore(b *testing.B, prefix string) (*store.Store, *roundTrips) {
	rdb := storetest.Client(b)
	h := &roundTrips{}
	rdb.AddHook(h)
	return store.New(rdb, store.Options{Prefix: prefix}), h
}

// report adds the round trips per op since the timer was reset.
func report(b *testing.B, h *roundTrips) {
	b.ReportMetric(float64(h.N.Load())/float64(b.N), "roundtrips/op")
}

func BenchmarkTag(b *testing.B) {
	s, h := countedStore(b, storetest.New(b).Prefix())
	ctx := context.Background()
	for i := range 200 {
		mustOutcomes(b, s, fmt.Sprint("o", i))
	}
	mustOutcomes(b, s, "pos")
	if _, err := s.Tag(ctx, ws, "WARM", "pos", "U1", "", t0); err != nil { // loads the script
		b.Fatal(err)
	}
	b.ReportAllocs()
	h.N.Store(0)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ref := fmt.Sprint("INC", i%10000) // new requests, then re-tags
		outcome := fmt.Sprint("o", i%200)
		if _, err := s.Tag(ctx, ws, ref, outcome, "U1", "", t0.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
	}
	report(b, h)
}

func BenchmarkEscalateAck(b *testing.B) {
	s, h := countedStore(b, storetest.New(b).Prefix())
	ctx := context.Background()
	if _, err := s.Escalate(ctx, ws, record.Escalation{Ref: "WARM"}); err != nil {
		b.Fatal(err)
	}
	if _, _, err := storetest.Ack(ctx, s, ws, 1, "U2", "", t0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	h.N.Store(0)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		e, err := s.Escalate(ctx, ws, record.Escalation{Ref: "INC1", Outcome: "pos", Reason: "blocked", RaisedBy: "U1", RaisedIn: "C1", RaisedAt: at})
		if err != nil {
			b.Fatal(err)
		}
		if _, first, err := storetest.Ack(ctx, s, ws, e.N, "U2", "on it", at.Add(time.Minute)); err != nil || !first {
			b.Fatal(first, err)
		}
	}
	report(b, h)
}

// Digest fixture size: a year of a busy workspace.
const (
	benchOutcomes    = 200
	benchRequests    = 50000
	benchEscalations = 5000
	benchOpen        = 100 // of which still open (half acknowledged)
)

var (
	digestFixtureOnce   sync.Once
	digestFixturePrefix string
	digestFixtureErr    error
	yearStart           = t0.AddDate(-1, 0, 0)
)

// seedDigestFixture writes the year once per process, spread evenly over
// [yearStart, t0): outcomes, requests (4 in 5 tagged, 1 in 5 re-tagged
// later), escalations (most acknowledged then resolved, benchOpen open).
func seedDigestFixture(b *testing.B) string {
	digestFixtureOnce.Do(func() {
		s := storetest.NewShared(b, store.Options{})
		digestFixturePrefix = s.Prefix()
		digestFixtureErr = seedYear(context.Background(), s)
	})
	if digestFixtureErr != nil {
		b.Fatal(digestFixtureErr)
	}
	return digestFixturePrefix
}

func seedYear(ctx context.Context, s *store.Store) error {
	for i := range benchOutcomes {
		if err := s.CreateOutcome(ctx, ws, record.Outcome{Key: fmt.Sprint("o", i), Title: "outcome", CreatedAt: yearStart}); err != nil {
			return err
		}
	}
	year := t0.Sub(yearStart)
	seed := store.NewSeeder(s, ws)
	for i := range benchRequests {
		at := yearStart.Add(year / benchRequests * time.Duration(i))
		outcome := ""
		if i%5 != 0 {
			outcome = fmt.Sprint("o", i%benchOutcomes)
		}
		seed.Tag(fmt.Sprint("INC", i), outcome, "U1", at)
		if i%5 == 1 {
			seed.Tag(fmt.Sprint("INC", i), fmt.Sprint("o", (i+1)%benchOutcomes), "U2", at.Add(48*time.Hour))
		}
	}
	for i := range benchEscalations {
		n, at := int64(i+1), yearStart.Add(year/benchEscalations*time.Duration(i))
		seed.Escalate(record.Escalation{Ref: fmt.Sprint("INC", i*10), Outcome: fmt.Sprint("o", i%benchOutcomes), RaisedBy: "U1", RaisedAt: at})
		if i < benchEscalations-benchOpen/2 {
			seed.Ack(n, "U2", at.Add(time.Hour))
		}
		if i%(benchEscalations/benchOpen) != 0 {
			seed.Resolve(n, "U2", at.Add(5*time.Hour))
		}
	}
	return seed.Flush(ctx)
}

func BenchmarkDigestData(b *testing.B) {
	prefix := seedDigestFixture(b)
	s, h := countedStore(b, prefix)
	ctx := context.Background()
	to := t0.Add(-24 * time.Hour)
	from := to.Add(-7 * 24 * time.Hour)
	d, err := s.DigestData(ctx, ws, from, to)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	h.N.Store(0)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.DigestData(ctx, ws, from, to); err != nil {
			b.Fatal(err)
		}
	}
	report(b, h)
	b.ReportMetric(float64(len(d.Tags)), "tags")
	b.ReportMetric(float64(len(d.NewRequests)), "new-requests")
	b.ReportMetric(float64(len(d.Escalations)), "escalations")
}
