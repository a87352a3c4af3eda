package store_test

import (
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestPaceIsSharedAcrossClients: two clients (two replicas) booking sends
// in one workspace share the buckets: together they get the burst at once,
// then one send per interval; another workspace is not slowed; and a
// drained bucket lets the next send go at once.
func TestPaceIsSharedAcrossClients(t *testing.T) {
	t.Parallel()
	a, ctx := storetest.New(t), ctxT(t)
	b := store.New(storetest.Client(t), store.Options{Prefix: a.Prefix()})
	ws := store.Limit{Name: "slack:ws", Interval: 200 * time.Millisecond, Burst: 3}
	ch := store.Limit{Name: "slack:ch:C1", Interval: time.Second, Burst: 2}
	now := t0
	var waits []time.Duration
	for i := range 5 {
		s := a
		if i%2 == 1 {
			s = b
		}
		d, err := s.Pace(ctx, "T1", now, ws, ch)
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, d)
	}
	// The channel bucket (1/s, burst 2) dominates: 0, 0, then 1 s, 2 s, 3 s.
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 3 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	// Another channel in the same workspace is held only by the workspace
	// bucket, which five sends have pushed 1 s - 2×200 ms ahead.
	if d, err := b.Pace(ctx, "T1", now, ws, store.Limit{Name: "slack:ch:C2", Interval: time.Second, Burst: 2}); err != nil || d != 600*time.Millisecond {
		t.Errorf("another channel: wait %v, %v; want 600ms", d, err)
	}
	if d, err := a.Pace(ctx, "T2", now, ws, ch); err != nil || d != 0 {
		t.Errorf("another workspace: wait %v, %v; want 0", d, err)
	}
	if d, err := a.Pace(ctx, "T1", now.Add(time.Minute), ws, ch); err != nil || d != 0 {
		t.Errorf("a minute later: wait %v, %v; want 0", d, err)
	}
	if _, err := a.Pace(ctx, "T1", now, store.Limit{Name: "x"}); err == nil {
		t.Error("a limit without interval was accepted")
	}
}
