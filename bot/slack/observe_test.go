package slack

import (
	"net/http"
	"sync"
	"testing"
)

// countingObserver counts outbound calls by status and retries.
type countingObserver struct {
	mu      sync.Mutex
	status  map[int]int
	retried map[int]int
}

func (o *countingObserver) Transport(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		res, err := next.RoundTrip(r)
		o.mu.Lock()
		defer o.mu.Unlock()
		if err == nil {
			o.status[res.StatusCode]++
		}
		return res, err
	})
}

func (o *countingObserver) Retried(status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.retried[status]++
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestObserverSeesCallsAndRetries: a rate-limited post is seen as a 429, a
// retry with status 429, and the successful calls.
func TestObserverSeesCallsAndRetries(t *testing.T) {
	h := newHarness(t, nil)
	obs := &countingObserver{status: map[int]int{}, retried: map[int]int{}}
	h.a.SetObserver(obs)
	h.setupOutcome("CIT")
	h.mustCommand("UREQ", "CSTORE", "/tag", "INC1 pos")
	h.slack.RateLimitNext(1)
	h.mustCommand("UREQ", "CSTORE", "/escalate", "INC1 broken")
	h.wait()
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.status[http.StatusTooManyRequests] != 1 || obs.retried[http.StatusTooManyRequests] != 1 {
		t.Fatalf("429s seen %d, retries %v; want 1 and map[429:1]", obs.status[http.StatusTooManyRequests], obs.retried)
	}
	if obs.status[http.StatusOK] < 2 {
		t.Fatalf("successful calls seen %d, want at least the 2 posts", obs.status[http.StatusOK])
	}
}
