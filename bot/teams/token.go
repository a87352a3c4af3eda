package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Token client settings.
const (
	// tokenEarly is how long before its expiry a token is replaced.
	tokenEarly = 5 * time.Minute
	// tokenTimeout bounds one token request.
	tokenTimeout = 10 * time.Second
)

// tokenSource gets client-credentials tokens for the Bot Connector from the
// configured token endpoint and caches them until shortly before they
// expire. A failed request is an error, never a panic, and is not cached.
// It is safe for concurrent use; concurrent callers share one request.
type tokenSource struct {
	url          string
	clientID     string
	clientSecret string
	client       *http.Client
	now          func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newTokenSource(tokenURL, clientID, clientSecret string, client *http.Client, now func() time.Time) *tokenSource {
	return &tokenSource{url: tokenURL, clientID: clientID, clientSecret: clientSecret, client: client, now: now}
}

// Token returns a valid access token, requesting a new one when the cached
// token is missing or about to expire.
func (s *tokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.now().Before(s.expires) {
		return s.token, nil
	}
	tok, life, err := s.request(ctx)
	if err != nil {
		return "", err
	}
	early := tokenEarly
	if life <= 2*early {
		early = life / 2
	}
	s.token, s.expires = tok, s.now().Add(life-early)
	return tok, nil
}

// Invalidate drops the cached token, after the connector refused it.
func (s *tokenSource) Invalidate() {
	s.mu.Lock()
	s.token = ""
	s.mu.Unlock()
}

// request asks the token endpoint for a new token.
func (s *tokenSource) request(ctx context.Context) (string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, tokenTimeout)
	defer cancel()
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {s.clientID},
		"client_secret": {s.clientSecret},
		"scope":         {botFrameworkScope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("request bot connector token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("request bot connector token: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", 0, fmt.Errorf("request bot connector token: read: %w", err)
	}
	var tr struct {
		AccessToken string      `json:"access_token"`
		ExpiresIn   json.Number `json:"expires_in"`
		Error       string      `json:"error"`
		Description string      `json:"error_description"`
	}
	_ = json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK {
		// error and error_description never contain the secret.
		return "", 0, fmt.Errorf("request bot connector token: status %d %s %s", resp.StatusCode, tr.Error, firstLine(tr.Description))
	}
	if tr.AccessToken == "" {
		return "", 0, errors.New("request bot connector token: response has no access_token")
	}
	secs, err := tr.ExpiresIn.Int64()
	if err != nil || secs <= 0 {
		secs = 3600 // the documented lifetime
	}
	return tr.AccessToken, time.Duration(secs) * time.Second, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return strings.TrimSpace(s)
}
