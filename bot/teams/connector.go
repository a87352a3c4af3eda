package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// Connector client settings.
const (
	// requestTimeout bounds one HTTP call to the Bot Connector.
	requestTimeout = 15 * time.Second
	// maxAttempts bounds the tries of one call.
	maxAttempts = 5
	// backoffBase and backoffMax shape the exponential backoff.
	backoffBase = 500 * time.Millisecond
	backoffMax  = 20 * time.Second
	// maxResponse bounds a connector response body.
	maxResponse = 1 << 20
)

// convAddress is where an outbound activity goes.
type convAddress struct {
	ServiceURL string
	// ConversationID is the exact conversation to post in, with a
	// ";messageid=" suffix to post in a channel thread.
	ConversationID string
	BotID          string
	BotName        string
	TenantID       string
}

// outActivity is the wire form of an activity the bot sends. It is built
// from the schema's parts rather than schema.Activity, whose zero time
// fields marshal as year 1 and whose Entity type cannot carry a mention.
type outActivity struct {
	Type         schema.ActivityTypes       `json:"type"`
	ID           string                     `json:"id,omitempty"`
	From         schema.ChannelAccount      `json:"from"`
	Conversation schema.ConversationAccount `json:"conversation"`
	ReplyToID    string                     `json:"replyToId,omitempty"`
	message
}

func newOutActivity(m message, to convAddress) outActivity {
	return outActivity{
		Type:         schema.Message,
		From:         schema.ChannelAccount{ID: to.BotID, Name: to.BotName},
		Conversation: schema.ConversationAccount{ID: to.ConversationID, TenantID: to.TenantID},
		message:      m,
	}
}

// connector calls the Bot Connector REST API (v3) with tokens from a
// tokenSource. Every call has a timeout; 429, 412, 502, 503 and 504 are
// retried with exponential backoff and jitter (honouring Retry-After), and
// sends to one conversation are paced by a convLimiter.
type connector struct {
	http    *http.Client
	tokens  *tokenSource
	limiter *convLimiter
	log     *slog.Logger
	// sleep waits between attempts; tests shorten it.
	sleep func(ctx context.Context, d time.Duration) error
	// obs sees retries; nil: nobody observes (see Adapter.SetObserver).
	obs Observer
}

// HTTPError is a Bot Connector call that failed with an HTTP status.
type HTTPError struct {
	Op     string
	Status int
	Code   string // the connector's error code, if it sent one
}

func (e *HTTPError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s: status %d (%s)", e.Op, e.Status, e.Code)
	}
	return fmt.Sprintf("%s: status %d", e.Op, e.Status)
}

// Permanent reports whether the call can never succeed on retry: the
// conversation is gone (404 ConversationNotFound, or a 404 to a send into
// the conversation itself) or the connector refuses the bot there (403
// with a code saying it was removed, blocked or disabled). A 404 on a reply
// or an update names a message that is gone, not the conversation. The
// scheduler then stops retrying and tells whoever subscribed the channel.
func (e *HTTPError) Permanent() bool {
	switch {
	case e.Status == http.StatusNotFound:
		return e.Code == "ConversationNotFound" || (e.Code == "" && strings.HasPrefix(e.Op, "send to conversation"))
	case e.Status == http.StatusForbidden:
		switch e.Code {
		case "BotNotInConversationRoster", "ConversationBlockedByUser", "BotDisabledByAdmin":
			return true
		}
	}
	return false
}

// Send posts an activity to a conversation and returns its id.
func (c *connector) Send(ctx context.Context, to convAddress, a outActivity) (string, error) {
	u := activitiesURL(to.ServiceURL, to.ConversationID, "")
	var rr schema.ResourceResponse
	err := c.do(ctx, "send to conversation "+to.ConversationID, http.MethodPost, u, baseConversation(to.ConversationID), a, &rr)
	return rr.ID, err
}

// Reply posts an activity as a reply to activity replyTo and returns its id.
func (c *connector) Reply(ctx context.Context, to convAddress, replyTo string, a outActivity) (string, error) {
	a.ReplyToID = replyTo
	u := activitiesURL(to.ServiceURL, to.ConversationID, replyTo)
	var rr schema.ResourceResponse
	err := c.do(ctx, "reply to activity "+replyTo, http.MethodPost, u, baseConversation(to.ConversationID), a, &rr)
	return rr.ID, err
}

// Update replaces activity id (a card whose button was pressed).
func (c *connector) Update(ctx context.Context, to convAddress, id string, a outActivity) error {
	a.ID = id
	u := activitiesURL(to.ServiceURL, to.ConversationID, id)
	return c.do(ctx, "update activity "+id, http.MethodPut, u, baseConversation(to.ConversationID), a, nil)
}

// Member looks up one member of a conversation by Bot Framework id or aad
// object id.
func (c *connector) Member(ctx context.Context, serviceURL, conversationID, memberID string) (schema.ChannelAccount, error) {
	u := strings.TrimRight(serviceURL, "/") + "/v3/conversations/" + url.PathEscape(baseConversation(conversationID)) +
		"/members/" + url.PathEscape(memberID)
	var m schema.ChannelAccount
	err := c.do(ctx, "get member "+memberID, http.MethodGet, u, "", nil, &m)
	return m, err
}

// createConversationRequest is the body of a create-conversation call: a
// 1:1 chat between the bot and one member, in a tenant.
type createConversationRequest struct {
	Bot         schema.ChannelAccount   `json:"bot"`
	Members     []schema.ChannelAccount `json:"members"`
	IsGroup     bool                    `json:"isGroup"`
	TenantID    string                  `json:"tenantId"`
	ChannelData map[string]any          `json:"channelData"`
}

// CreatePersonalChat creates (or, if it exists, returns) the bot's 1:1
// conversation with member (a "29:" id or an aad object id) in tenant, at
// serviceURL, and returns its id. A service URL in the answer is not
// followed: service URLs are trusted only from authenticated activities.
func (c *connector) CreatePersonalChat(ctx context.Context, serviceURL, botID, botName, tenant, member string) (string, error) {
	u := strings.TrimRight(serviceURL, "/") + "/v3/conversations"
	body := createConversationRequest{
		Bot:         schema.ChannelAccount{ID: botID, Name: botName},
		Members:     []schema.ChannelAccount{{ID: member}},
		TenantID:    tenant,
		ChannelData: map[string]any{"tenant": map[string]any{"id": tenant}},
	}
	var rr schema.ConversationResourceResponse
	if err := c.do(ctx, "create personal chat with "+member, http.MethodPost, u, "", body, &rr); err != nil {
		return "", err
	}
	if rr.ID == "" {
		return "", fmt.Errorf("create personal chat with %s: the connector returned no conversation id", member)
	}
	return rr.ID, nil
}

func activitiesURL(serviceURL, conversationID, activityID string) string {
	u := strings.TrimRight(serviceURL, "/") + "/v3/conversations/" + url.PathEscape(conversationID) + "/activities"
	if activityID != "" {
		u += "/" + url.PathEscape(activityID)
	}
	return u
}

// do performs one connector call with retries. paceKey, when set, is the
// conversation whose send rate the call counts against.
func (c *connector) do(ctx context.Context, op, method, target, paceKey string, in, out any) error {
	var body []byte
	if in != nil {
		body = marshalJSON(in)
	}
	refreshed := false
	for attempt := 1; ; attempt++ {
		if paceKey != "" {
			if err := c.limiter.Wait(ctx, paceKey); err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
		}
		res, err := c.attempt(ctx, op, method, target, body, out)
		switch {
		case err == nil:
			return nil
		case res.status == http.StatusUnauthorized && !refreshed:
			// The cached token was refused: get a fresh one, once.
			c.tokens.Invalidate()
			refreshed = true
			continue
		case !res.retryable(method) || attempt >= maxAttempts:
			return err
		}
		d := backoff(attempt, res.retryAfter)
		c.observeRetry(res.status)
		c.log.Debug("teams: retrying connector call", "op", op, "attempt", attempt, "status", res.status, "wait", d)
		if err := c.sleep(ctx, d); err != nil {
			return fmt.Errorf("%s: giving up after %d attempts: %w", op, attempt, err)
		}
	}
}

// result describes how one attempt failed.
type result struct {
	status     int           // HTTP status; 0 when none arrived
	retryAfter time.Duration // the server's Retry-After, if any
	transport  bool          // the request failed in transport
}

// retryable reports whether a failed call may be tried again: the throttling
// and gateway statuses the Teams docs name (429, 412, 502, 504, and 503),
// and transport errors of idempotent calls. A POST that may have arrived is
// not resent after a transport error, to avoid a double post.
func (r result) retryable(method string) bool {
	switch r.status {
	case http.StatusTooManyRequests, http.StatusPreconditionFailed, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return r.transport && method != http.MethodPost
}

// attempt performs one HTTP call.
func (c *connector) attempt(ctx context.Context, op, method, target string, body []byte, out any) (result, error) {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", op, err)
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return result{transport: true}, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return result{status: resp.StatusCode, transport: true}, fmt.Errorf("%s: read response: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return result{status: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"))},
			&HTTPError{Op: op, Status: resp.StatusCode, Code: errorCode(raw)}
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return result{status: resp.StatusCode}, fmt.Errorf("%s: decode response: %w", op, err)
		}
	}
	return result{status: resp.StatusCode}, nil
}

// backoff is the wait before attempt+1: the server's Retry-After when given
// (capped), else exponential from backoffBase with full jitter in [d/2, d].
func backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, backoffMax)
	}
	d := min(backoffBase<<(attempt-1), backoffMax)
	return d/2 + rand.N(d/2+1)
}

// retryAfter parses a Retry-After header in seconds or as an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// errorCode reads the code of a Bot Connector error body
// ({"error":{"code":…,"message":…}}).
func errorCode(raw []byte) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return ""
	}
	return firstLine(e.Error.Code)
}

// baseConversation strips a channel thread suffix (";messageid=…") from a
// conversation id: the id of the channel itself.
func baseConversation(id string) string {
	base, _, _ := strings.Cut(id, ";messageid=")
	return base
}
