package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/outcomebot/outcomebot/bot/retry"
)

// Connector client settings.
const (
	// requestTimeout bounds one HTTP call to the Bot Connector.
	requestTimeout = 15 * time.Second
	// maxResponse bounds a connector response body.
	maxResponse = 1 << 20
)

// connectorRetry bounds the retries of one connector call; bot/retry
// decides what is retried and when a POST is resent after a connection
// failure.
var connectorRetry = retry.Policy{
	Attempts: 5,
	Base:     500 * time.Millisecond,
	Max:      20 * time.Second,
	MaxAfter: time.Minute,
}

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
// tokenSource. Every call has a timeout; failures are retried under the
// retry policy (429 after its Retry-After, 412 and 5xx, connection
// failures), and sends to one conversation are paced by a convLimiter.
type connector struct {
	http    *http.Client
	tokens  *tokenSource
	limiter *convLimiter
	log     *slog.Logger
	retry   retry.Policy
	// obs sees retries; nil: nobody observes (see Adapter.SetObserver).
	obs Observer
}

// HTTPError is a Bot Connector call that failed with an HTTP status.
type HTTPError struct {
	Op     string
	Status int
	Code   string // the connector's error code, if it sent one

	retryAfter time.Duration // the connector's Retry-After, if any
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
// conversation whose send rate the call counts against. A refused token
// (401) is replaced once, at once.
func (c *connector) do(ctx context.Context, op, method, target, paceKey string, in, out any) error {
	var body []byte
	if in != nil {
		body = marshalJSON(in)
	}
	pol := c.retry
	pol.OnRetry = func(err error, attempt int, wait time.Duration) {
		status := statusOf(err)
		c.observeRetry(status)
		c.log.Debug("teams: retrying connector call", "op", op, "attempt", attempt, "status", status, "wait", wait)
	}
	refreshed := false
	return pol.Do(ctx, func() error {
		for {
			if paceKey != "" {
				if err := c.limiter.Wait(ctx, paceKey); err != nil {
					return fmt.Errorf("%s: %w", op, err)
				}
			}
			err := c.attempt(ctx, op, method, target, body, out)
			if statusOf(err) != http.StatusUnauthorized || refreshed {
				return err
			}
			c.tokens.Invalidate()
			refreshed = true
		}
	}, retryVerdict(method))
}

// retryVerdict classifies a failed connector call: besides what bot/retry
// retries for every platform, Teams asks for 412 to be retried (see
// bot/README.md). Only a POST creates something: PUT (update) and GET are
// safe to repeat after any connection failure.
func retryVerdict(method string) func(error) retry.Verdict {
	return func(err error) retry.Verdict {
		var he *HTTPError
		if errors.As(err, &he) {
			if he.Status == http.StatusPreconditionFailed {
				return retry.Verdict{Retry: true}
			}
			return retry.Status(he.Status, he.retryAfter)
		}
		return retry.Transport(err, method != http.MethodPost)
	}
}

// statusOf is the HTTP status of a failed call; 0 when none arrived.
func statusOf(err error) int {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

// attempt performs one HTTP call.
func (c *connector) attempt(ctx context.Context, op, method, target string, body []byte, out any) error {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s: read response: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &HTTPError{Op: op, Status: resp.StatusCode, Code: errorCode(raw),
			retryAfter: retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s: decode response: %w", op, err)
		}
	}
	return nil
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
