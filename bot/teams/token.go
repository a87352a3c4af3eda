package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Token client settings.
const (
	// tokenEarly is how long before its expiry a token is replaced.
	tokenEarly = 5 * time.Minute
	// tokenDefaultLife is assumed when the endpoint names no expires_in
	// (the Bot Framework documents one hour).
	tokenDefaultLife = time.Hour
)

// tokenSource gets client-credentials tokens for the Bot Connector from the
// configured token endpoint with golang.org/x/oauth2/clientcredentials, and
// caches them (oauth2.ReuseTokenSourceWithExpiry) until tokenEarly before
// they expire. A failed request is an error, never a panic, and is not
// cached. Concurrent callers share one request. It is safe for concurrent
// use.
type tokenSource struct {
	conf *clientcredentials.Config
	// ctx carries the HTTP client the oauth2 package requests tokens with:
	// the adapter's, whose Timeout bounds every token request and whose
	// transport an Observer sees.
	ctx context.Context

	mu    sync.Mutex
	cache oauth2.TokenSource // replaced whole by Invalidate
}

func newTokenSource(tokenURL, clientID, clientSecret string, client *http.Client) *tokenSource {
	s := &tokenSource{
		conf: &clientcredentials.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			TokenURL:     tokenURL,
			Scopes:       []string{botFrameworkScope},
			AuthStyle:    oauth2.AuthStyleInParams, // as the Bot Framework docs show it
		},
		ctx: context.WithValue(context.Background(), oauth2.HTTPClient, client),
	}
	s.cache = s.newCache()
	return s
}

// newCache is an empty token cache over fresh token requests.
func (s *tokenSource) newCache() oauth2.TokenSource {
	return oauth2.ReuseTokenSourceWithExpiry(nil, tokenRequester{s}, tokenEarly)
}

// Token returns a valid access token, requesting a new one when the cached
// token is missing or about to expire. The request is bounded by the HTTP
// client's Timeout rather than ctx (oauth2 token sources take no context);
// ctx only stops a call that has not started.
func (s *tokenSource) Token(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("request bot connector token: %w", err)
	}
	s.mu.Lock()
	cache := s.cache
	s.mu.Unlock()
	tok, err := cache.Token()
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// Invalidate drops the cached token, after the connector refused it.
func (s *tokenSource) Invalidate() {
	s.mu.Lock()
	s.cache = s.newCache()
	s.mu.Unlock()
}

// tokenRequester requests a new token on every call; the cache in front of
// it decides when.
type tokenRequester struct{ s *tokenSource }

func (r tokenRequester) Token() (*oauth2.Token, error) {
	tok, err := r.s.conf.Token(r.s.ctx)
	if err != nil {
		return nil, tokenError(err)
	}
	now := time.Now()
	if tok.Expiry.IsZero() {
		tok.Expiry = now.Add(tokenDefaultLife)
	}
	// A token too short-lived for tokenEarly is replaced halfway through
	// its life instead: Expiry only steers the cache, it is never sent.
	if life := tok.Expiry.Sub(now); life < 2*tokenEarly {
		tok.Expiry = tok.Expiry.Add(tokenEarly - life/2)
	}
	return tok, nil
}

// tokenError reports a failed token request by its status and OAuth error
// code; the response body is left out (error and error_description never
// carry the secret, but the raw body is the endpoint's to choose).
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return fmt.Errorf("request bot connector token: status %d %s %s", status, re.ErrorCode, firstLine(re.ErrorDescription))
	}
	return fmt.Errorf("request bot connector token: %w", err)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return strings.TrimSpace(s)
}
