package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

const week = "2026-W45"

func TestClaimDigestStates(t *testing.T) {
	s, ctx := storetest.New(t), ctxT(t)
	claim := func(holder string, now time.Time) record.DigestClaim {
		t.Helper()
		c, err := s.ClaimDigestAt(ctx, ws, "C1", week, holder, time.Minute, now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if got := claim("a", t0); got != record.DigestClaimed {
		t.Fatalf("first claim: %s", got)
	}
	if got := claim("b", t0); got != record.DigestHeld {
		t.Fatalf("claim while a holds it: %s", got)
	}
	if err := s.ReleaseDigest(ctx, ws, "C1", week, "b"); err != nil { // not b's: no effect
		t.Fatal(err)
	}
	if got := claim("b", t0); got != record.DigestHeld {
		t.Fatalf("claim after a foreign release: %s", got)
	}
	if err := s.ReleaseDigest(ctx, ws, "C1", week, "a"); err != nil {
		t.Fatal(err)
	}
	if got := claim("b", t0); got != record.DigestClaimed {
		t.Fatalf("claim after release: %s", got)
	}
	if err := s.RecordDigest(ctx, ws, "C1", record.DigestPost{Week: week, At: t0, MessageID: "m1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseDigest(ctx, ws, "C1", week, "b"); err != nil {
		t.Fatal(err)
	}
	if got := claim("c", t0); got != record.DigestAlreadyPosted {
		t.Fatalf("claim after record: %s", got)
	}
	if ok, err := storetest.ClaimDigest(ctx, s, ws, "C1", week, "c", time.Minute); ok || err != nil {
		t.Fatalf("ClaimDigest after record = %v, %v", ok, err)
	}
	if ok, err := storetest.ClaimDigest(ctx, s, ws, "C1", "2026-W46", "c", time.Minute); !ok || err != nil {
		t.Fatalf("ClaimDigest of another week = %v, %v", ok, err)
	}
	p, err := s.DigestPosted(ctx, ws, "C1", week)
	if err != nil || p.MessageID != "m1" || !p.At.Equal(t0) {
		t.Fatalf("DigestPosted = %+v, %v", p, err)
	}
	if _, err := s.DigestPosted(ctx, ws, "C2", week); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("DigestPosted of an unposted channel: %v", err)
	}
}

// TestClaimDigestLeaseEnds: a holder that dies after claiming lets another
// claim once the lease (a real Redis TTL) ends.
func TestClaimDigestLeaseEnds(t *testing.T) {
	s, ctx := storetest.New(t), ctxT(t)
	if c, err := s.ClaimDigestAt(ctx, ws, "C1", week, "dead", 200*time.Millisecond, t0); c != record.DigestClaimed || err != nil {
		t.Fatalf("claim: %s, %v", c, err)
	}
	if c, _ := s.ClaimDigestAt(ctx, ws, "C1", week, "live", time.Minute, t0); c != record.DigestHeld {
		t.Fatalf("claim during the lease: %s", c)
	}
	time.Sleep(250 * time.Millisecond)
	if c, err := s.ClaimDigestAt(ctx, ws, "C1", week, "live", time.Minute, t0); c != record.DigestClaimed || err != nil {
		t.Fatalf("claim after the lease: %s, %v", c, err)
	}
}

func TestClaimDigestConcurrent(t *testing.T) {
	s, ctx := storetest.New(t), ctxT(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.ClaimDigestAt(ctx, ws, "C1", week, string(rune('a'+i)), time.Minute, t0)
			if err != nil {
				t.Error(err)
			}
			if c == record.DigestClaimed {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d holders claimed the same week", won)
	}
}

func TestFailDigestBacksOff(t *testing.T) {
	s, ctx := storetest.New(t), ctxT(t)
	base, max := time.Minute, 5*time.Minute
	now := t0
	wantDelay := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	for i, want := range wantDelay {
		if c, err := s.ClaimDigestAt(ctx, ws, "C1", week, "a", time.Minute, now); c != record.DigestClaimed || err != nil {
			t.Fatalf("attempt %d: claim %s, %v", i+1, c, err)
		}
		f, err := s.FailDigest(ctx, ws, "C1", week, "a", now, base, max)
		if err != nil {
			t.Fatal(err)
		}
		if f.Attempts != i+1 || !f.RetryAt.Equal(now.Add(want)) {
			t.Fatalf("attempt %d: %+v, want retry at %s", i+1, f, now.Add(want))
		}
		if c, _ := s.ClaimDigestAt(ctx, ws, "C1", week, "b", time.Minute, f.RetryAt.Add(-time.Millisecond)); c != record.DigestBackingOff {
			t.Fatalf("attempt %d: claim before the retry time: %s", i+1, c)
		}
		now = f.RetryAt
	}
	// A permanent failure waits the longest at once, and only the holder's
	// own claim is released.
	if c, _ := s.ClaimDigestAt(ctx, ws, "C2", week, "a", time.Minute, now); c != record.DigestClaimed {
		t.Fatalf("claim C2: %s", c)
	}
	f, err := s.FailDigest(ctx, ws, "C2", week, "other", now, max, max)
	if err != nil || f.Attempts != 1 || !f.RetryAt.Equal(now.Add(max)) {
		t.Fatalf("permanent failure: %+v, %v", f, err)
	}
	if c, _ := s.ClaimDigestAt(ctx, ws, "C2", week, "b", time.Minute, now.Add(2*max)); c != record.DigestHeld {
		t.Fatalf("a's claim must survive another holder's failure: %s", c)
	}
	// ClaimDigest (no time) ignores the retry time.
	if ok, _ := storetest.ClaimDigest(ctx, s, ws, "C1", week, "b", time.Minute); !ok {
		t.Fatal("ClaimDigest should ignore the retry time")
	}
}

func TestDigestNoticeAndMissedOnce(t *testing.T) {
	s, ctx := storetest.New(t), ctxT(t)
	for i, want := range []bool{true, false, false} {
		ok, err := s.ClaimDigestNotice(ctx, ws, "C1", week)
		if err != nil || ok != want {
			t.Fatalf("notice %d = %v, %v; want %v", i, ok, err, want)
		}
	}
	if err := s.RecordDigest(ctx, ws, "C2", record.DigestPost{Week: week, At: t0, MessageID: "m1"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		channel string
		want    []bool
	}{{"C1", []bool{true, false}}, {"C2", []bool{false, false}}} {
		for i, want := range tc.want {
			ok, err := s.MarkDigestMissed(ctx, ws, tc.channel, week)
			if err != nil || ok != want {
				t.Fatalf("missed %s #%d = %v, %v; want %v", tc.channel, i, ok, err, want)
			}
		}
	}
}

// TestRecordDigestManual: a manual post updates the last post but never
// the week's scheduled record.
func TestRecordDigestManual(t *testing.T) {
	s, ctx := storetest.New(t), ctxT(t)
	if err := s.RecordDigest(ctx, ws, "C1", record.DigestPost{Week: week, At: t0, MessageID: "m1", Manual: true}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ClaimDigestAt(ctx, ws, "C1", week, "a", time.Minute, t0); c != record.DigestClaimed {
		t.Fatalf("a manual post must not take the week: %s", c)
	}
	last, err := s.LastDigest(ctx, ws, "C1")
	if err != nil || !last.Manual || last.MessageID != "m1" {
		t.Fatalf("LastDigest = %+v, %v", last, err)
	}
	if _, err := s.LastDigest(ctx, ws, "C9"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("LastDigest of a channel never posted: %v", err)
	}
	if err := s.RecordDigest(ctx, ws, "C1", record.DigestPost{Week: week, At: t0.Add(time.Hour), MessageID: "m2", Late: true}); err != nil {
		t.Fatal(err)
	}
	if p, err := s.DigestPosted(ctx, ws, "C1", week); err != nil || p.MessageID != "m2" || !p.Late {
		t.Fatalf("DigestPosted = %+v, %v", p, err)
	}
	// The record outlives the following week, so its scheduler can still
	// tell "posted" from "missed".
	keys, err := s.Client().Keys(ctx, s.Prefix()+":*:posted").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("posted keys %v, %v", keys, err)
	}
	if ttl := s.Client().PTTL(ctx, keys[0]).Val(); ttl < 14*24*time.Hour {
		t.Fatalf("posted record expires in %s, before the end of the following week", ttl)
	}
}

func TestClaimDigestUnavailable(t *testing.T) {
	s := storetest.New(t)
	ctx := ctxT(t)
	closed := store.New(storetest.Client(t), store.Options{Prefix: s.Prefix()})
	_ = closed.Close()
	if _, err := closed.ClaimDigestAt(ctx, ws, "C1", week, "a", time.Minute, t0); !errors.Is(err, record.ErrUnavailable) {
		t.Fatalf("claim on a closed client: %v", err)
	}
}
