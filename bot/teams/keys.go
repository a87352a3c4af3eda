package teams

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Key cache settings.
const (
	// keyTTL is how long a fetched JWKS is trusted before it is refetched.
	keyTTL = 24 * time.Hour
	// keyMinRefetch spaces refetches triggered by unknown key ids, so a flood
	// of forged kids cannot turn into a flood of fetches.
	keyMinRefetch = time.Minute
	// keyEmptyRetry spaces fetches while no key set has ever been fetched:
	// nothing can be validated until one succeeds, so a failed first fetch
	// is retried after seconds, not keyMinRefetch.
	keyEmptyRetry = 3 * time.Second
	// fetchTimeout bounds one metadata + JWKS fetch.
	fetchTimeout = 10 * time.Second
	// maxDocument bounds a fetched metadata or JWKS document.
	maxDocument = 1 << 20
)

// errKeysUnavailable means no signing keys could be had: the OpenID
// metadata or JWKS fetch failed with nothing cached. It answers 503, so the
// Bot Connector retries the activity instead of dropping it as badly signed.
var errKeysUnavailable = errors.New("signing keys unavailable")

// keyCache holds the Bot Framework signing keys named by the OpenID metadata
// document. Keys are fetched on first use, trusted for keyTTL, and refetched
// early when a token names a key id the cache does not know (key rotation),
// at most once per minRefetch. While no key set has been fetched yet,
// fetches are spaced only by emptyRetry. A failed fetch keeps the keys
// already known. It is safe for concurrent use.
//
// jwx's own jwk.Cache is not used: it fetches one JWKS URL on a schedule,
// while these keys sit behind the OpenID metadata document, must be
// refetched (with spacing) when a token names an unknown kid, and must
// outlive a failed refresh; and it refreshes on its own goroutines, where
// this cache fetches on the request that needs the keys.
type keyCache struct {
	metadataURL string
	client      *http.Client
	log         *slog.Logger
	ttl         time.Duration
	minRefetch  time.Duration
	emptyRetry  time.Duration
	// fetchKeys reads the key set; fetch, unless a test replaces it.
	fetchKeys func(ctx context.Context) (map[string]signingKey, error)

	mu      sync.RWMutex
	keys    map[string]signingKey // replaced whole, never mutated
	fetched time.Time

	fetchMu     sync.Mutex // one fetch at a time
	lastAttempt time.Time  // guarded by fetchMu
}

func newKeyCache(metadataURL string, client *http.Client, log *slog.Logger) *keyCache {
	c := &keyCache{
		metadataURL: metadataURL,
		client:      client,
		log:         log,
		ttl:         keyTTL,
		minRefetch:  keyMinRefetch,
		emptyRetry:  keyEmptyRetry,
	}
	c.fetchKeys = c.fetch
	return c
}

// Lookup returns the signing key with id kid, fetching the key set when it
// is stale or does not know kid.
func (c *keyCache) Lookup(ctx context.Context, kid string) (signingKey, error) {
	if k, ok, fresh := c.cached(kid); ok && fresh {
		return k, nil
	}
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	k, ok, fresh := c.cached(kid) // another request may have fetched meanwhile
	if ok && fresh {
		return k, nil
	}
	now := time.Now()
	empty := c.empty()
	spacing := c.minRefetch
	if empty {
		spacing = c.emptyRetry
	}
	if !c.lastAttempt.IsZero() && now.Sub(c.lastAttempt) < spacing {
		switch {
		case ok:
			return k, nil
		case empty:
			return signingKey{}, fmt.Errorf("%w: last fetch failed %s ago", errKeysUnavailable, now.Sub(c.lastAttempt).Round(time.Millisecond))
		}
		return signingKey{}, fmt.Errorf("unknown signing key %q", kid)
	}
	c.lastAttempt = now
	keys, err := c.fetchKeys(context.WithoutCancel(ctx))
	if err != nil {
		if ok {
			c.log.Warn("teams: refreshing signing keys failed; using cached keys", "err", err)
			return k, nil
		}
		c.log.Error("teams: fetching signing keys failed", "err", err, "cached", !empty)
		return signingKey{}, fmt.Errorf("%w: fetch: %w", errKeysUnavailable, err)
	}
	c.mu.Lock()
	c.keys, c.fetched = keys, now
	c.mu.Unlock()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return signingKey{}, fmt.Errorf("unknown signing key %q", kid)
}

// empty reports whether no key set has been fetched yet.
func (c *keyCache) empty() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.keys == nil
}

// cached reports the cached key for kid and whether the set is still fresh.
func (c *keyCache) cached(kid string) (k signingKey, ok, fresh bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok = c.keys[kid]
	return k, ok, c.keys != nil && time.Since(c.fetched) < c.ttl
}

// fetch reads the metadata document, then the JWKS it names.
func (c *keyCache) fetch(ctx context.Context) (map[string]signingKey, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	body, err := getDocument(ctx, c.client, c.metadataURL)
	if err != nil {
		return nil, fmt.Errorf("openid metadata: %w", err)
	}
	if err := json.Unmarshal(body, &meta); err != nil || meta.JWKSURI == "" {
		return nil, fmt.Errorf("openid metadata %s has no jwks_uri", c.metadataURL)
	}
	body, err = getDocument(ctx, c.client, meta.JWKSURI)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	return parseKeySet(body)
}

// parseKeySet keeps the RSA keys of a JWKS with their endorsements (a
// Bot Framework member of each key, kept by jwk.Parse as a private field).
func parseKeySet(body []byte) (map[string]signingKey, error) {
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parse jwks: %w", err)
	}
	keys := make(map[string]signingKey, set.Len())
	for i := range set.Len() {
		key, _ := set.Key(i)
		kid, ok := key.KeyID()
		if !ok || kid == "" {
			continue
		}
		var pub rsa.PublicKey
		if err := jwk.Export(key, &pub); err != nil {
			continue // not an RSA public key: never used for RS256
		}
		keys[kid] = signingKey{pub: &pub, endorsements: stringList(key, "endorsements")}
	}
	if len(keys) == 0 {
		return nil, errors.New("jwks has no usable RSA keys")
	}
	return keys, nil
}

// stringList reads a private string-array member of a key; jwk.Parse keeps
// it as decoded JSON ([]any). Missing or mistyped: nil (endorsed for
// nothing).
func stringList(key jwk.Key, name string) []string {
	var raw []any
	if err := key.Get(name, &raw); err != nil {
		return nil
	}
	out := make([]string, 0, len(raw))
	for _, x := range raw {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// getDocument GETs a small JSON document.
func getDocument(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(body) > maxDocument {
		return nil, fmt.Errorf("GET %s: document larger than %d bytes", url, maxDocument)
	}
	return body, nil
}
