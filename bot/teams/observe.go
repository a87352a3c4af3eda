package teams

import "net/http"

// Observer sees the adapter's outbound traffic, for metrics. Its methods
// must be quick and safe for concurrent use.
type Observer interface {
	// Transport wraps the transport of every outbound HTTP call (Bot
	// Connector, token endpoint, OpenID metadata and keys): it can count
	// calls and their statuses, 429s included.
	Transport(next http.RoundTripper) http.RoundTripper
	// Retried is called before each retry of a Bot Connector call; status
	// is the HTTP status of the failed attempt (429 when throttled) or 0 for
	// a transport failure.
	Retried(status int)
}

// SetObserver makes o see every outbound call from now on. Call it once,
// before the adapter serves or posts anything.
func (a *Adapter) SetObserver(o Observer) {
	client := a.conn.http
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client.Transport = o.Transport(next)
	a.conn.obs = o
}

// observeRetry reports a retry after an attempt that failed with status.
func (c *connector) observeRetry(status int) {
	if c.obs != nil {
		c.obs.Retried(status)
	}
}
