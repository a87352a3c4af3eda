package slack

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// webAPI lists the slack-go Web API calls the adapter makes, so tests and
// the rest of the package see nothing else of the client.
type webAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	GetPermalinkContext(ctx context.Context, params *slack.PermalinkParameters) (string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
}

var _ webAPI = (*slack.Client)(nil)

// httpTimeout bounds every outbound call to Slack.
const httpTimeout = 10 * time.Second

// newHTTPClient is the client for every outbound call: a timeout on each
// call and a pool of kept-alive connections.
func newHTTPClient() *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: httpTimeout,
	}
	return &http.Client{Transport: tr, Timeout: httpTimeout}
}

// clients keeps one slack-go client per bot token. Retries are not turned
// on in slack-go: the Poster retries itself, bounded by its context.
type clients struct {
	apiURL string
	http   *http.Client
	mu     sync.Mutex
	byTok  map[string]webAPI
}

func newClients(apiURL string, hc *http.Client) *clients {
	return &clients{apiURL: apiURL, http: hc, byTok: map[string]webAPI{}}
}

// get returns the client for token.
func (c *clients) get(token string) webAPI {
	c.mu.Lock()
	defer c.mu.Unlock()
	if api, ok := c.byTok[token]; ok {
		return api
	}
	if len(c.byTok) > 1024 {
		clear(c.byTok)
	}
	api := slack.New(token, slack.OptionAPIURL(c.apiURL), slack.OptionHTTPClient(c.http))
	c.byTok[token] = api
	return api
}
