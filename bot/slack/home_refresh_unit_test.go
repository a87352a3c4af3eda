package slack

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestHomeRefresherBounded: it remembers at most homeSeenMax people (the
// least recently opened forgotten first), republishes nobody whose
// opening is older than homeSeenTTL, coalesces a burst into one publish
// and publishes nothing after stop.
func TestHomeRefresherBounded(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	published := map[string]int{}
	r := newHomeRefresher(func() time.Time { return now }, func(ws, user string) {
		mu.Lock()
		published[user]++
		mu.Unlock()
	})
	r.delay = 50 * time.Millisecond
	r.opened("T1", "UOLD")
	now = now.Add(time.Minute)
	for i := range homeSeenMax {
		r.opened("T1", fmt.Sprint("U", i))
	}
	if len(r.seen) != homeSeenMax {
		t.Fatalf("%d remembered, want %d", len(r.seen), homeSeenMax)
	}
	if _, ok := r.seen[homeKey{"T1", "UOLD"}]; ok {
		t.Fatal("the least recently opened was kept")
	}
	for range 100 {
		r.touched("T1", []string{"U1", "UOLD", "UNEVER"})
	}
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	if published["U1"] != 1 || published["UOLD"] != 0 || published["UNEVER"] != 0 {
		t.Fatalf("published %v", published)
	}
	mu.Unlock()

	now = now.Add(homeSeenTTL + time.Minute)
	r.touched("T1", []string{"U2"})
	r.opened("T1", "U3")
	r.stop()
	r.touched("T1", []string{"U3"})
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if published["U2"] != 0 || published["U3"] != 0 {
		t.Fatalf("published %v after the TTL or stop", published)
	}
}
