package teams

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// statusObserver counts outbound calls by status and retries by status.
type statusObserver struct {
	mu      sync.Mutex
	status  map[int]int
	retried map[int]int
}

func (o *statusObserver) Transport(next http.RoundTripper) http.RoundTripper {
	return observedTransport{o: o, next: next}
}

func (o *statusObserver) Retried(status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.retried[status]++
}

type observedTransport struct {
	o    *statusObserver
	next http.RoundTripper
}

func (t observedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(r)
	if err == nil {
		t.o.mu.Lock()
		t.o.status[res.StatusCode]++
		t.o.mu.Unlock()
	}
	return res, err
}

// TestObserverSeesCallsAndRetries: a throttled send is seen as a 429 and a
// retry with status 429, and the calls that succeed are seen too.
func TestObserverSeesCallsAndRetries(t *testing.T) {
	e := newEnv(t)
	obs := &statusObserver{status: map[int]int{}, retried: map[int]int{}}
	e.adapter.SetObserver(obs)
	var n atomic.Int64
	e.conn.fail = func(r *http.Request, _ int) (int, http.Header, bool) {
		if n.Add(1) == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, true
		}
		return 0, nil, false
	}
	e.do(e.command(itConv, "channel", admin, "outcome whoami"))
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.status[http.StatusTooManyRequests] != 1 || obs.retried[http.StatusTooManyRequests] != 1 {
		t.Fatalf("429s seen %d, retries %v; want 1 and map[429:1]", obs.status[http.StatusTooManyRequests], obs.retried)
	}
	if obs.status[http.StatusOK] < 2 {
		t.Fatalf("successful calls seen %v, want the token and the reply", obs.status)
	}
}

// panicky makes the core panic on every command while on is set.
type panicky struct{ on atomic.Bool }

func (p *panicky) CommandHandled(name, result string, took time.Duration) {
	if p.on.Load() {
		panic("observer exploded")
	}
}
func (p *panicky) EscalationChanged(string, time.Duration) {}

// panicCounter is a Teams Observer that counts recovered panics.
type panicCounter struct{ n atomic.Int64 }

func (c *panicCounter) Transport(next http.RoundTripper) http.RoundTripper { return next }
func (c *panicCounter) Retried(int)                                        {}
func (c *panicCounter) Panicked()                                          { c.n.Add(1) }

// TestTurnPanicIsRecoveredAndCounted: a panic while handling a message is
// recovered and counted, and the next message is answered.
func TestTurnPanicIsRecoveredAndCounted(t *testing.T) {
	e := newEnv(t)
	p, counter := &panicky{}, &panicCounter{}
	e.core.SetObserver(p)
	e.adapter.SetObserver(counter)
	p.on.Store(true)
	e.do(e.command(dmConv, "personal", admin, "/outcome whoami"))
	if counter.n.Load() != 1 {
		t.Fatalf("recovered panics counted %d, want 1", counter.n.Load())
	}
	p.on.Store(false)
	if calls := e.do(e.command(dmConv, "personal", admin, "/outcome whoami")); len(calls) != 1 {
		t.Fatalf("after a panic the next message got %d calls, want a reply", len(calls))
	}
}
