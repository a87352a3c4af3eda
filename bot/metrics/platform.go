package metrics

import (
	"net/http"
	"strconv"
)

// Platform is the observer of one chat platform's outbound traffic: it
// satisfies the Observer interfaces of bot/slack and bot/teams.
type Platform struct {
	m    *Metrics
	name string
}

// Platform returns the observer for the platform called name ("slack",
// "teams").
func (m *Metrics) Platform(name string) *Platform { return &Platform{m: m, name: name} }

// Transport wraps next so that every call is counted by status class, and
// every 429 as rate limited.
func (p *Platform) Transport(next http.RoundTripper) http.RoundTripper {
	return &countingTransport{p: p, next: next}
}

// Retried counts a retry after an attempt that failed with status (0 for
// a connection failure).
func (p *Platform) Retried(status int) {
	p.m.retries.WithLabelValues(p.name, reason(status)).Inc()
}

// Panicked counts a recovered panic in the platform's background work.
func (p *Platform) Panicked() { p.m.bgPanics.WithLabelValues(p.name).Inc() }

// reason names a failed attempt's status for the retries counter.
func reason(status int) string {
	switch {
	case status == 0:
		return "connection"
	case status == http.StatusTooManyRequests:
		return "429"
	case status >= 500:
		return "5xx"
	case status >= 400:
		return "4xx"
	}
	return strconv.Itoa(status)
}

// codeClass names a status for the calls counter: 429 on its own.
func codeClass(status int) string {
	if status == http.StatusTooManyRequests {
		return "429"
	}
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// countingTransport counts each round trip.
type countingTransport struct {
	p    *Platform
	next http.RoundTripper
}

// RoundTrip sends r with the wrapped transport and counts the answer.
func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(r)
	code := "error"
	if err == nil {
		code = codeClass(res.StatusCode)
		if res.StatusCode == http.StatusTooManyRequests {
			t.p.m.rateLimited.WithLabelValues(t.p.name).Inc()
		}
	}
	t.p.m.apiCalls.WithLabelValues(t.p.name, code).Inc()
	return res, err
}
