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

	"github.com/lestrrat-go/jwx/jwk"
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
type keyCache struct {
	metadataURL string
	client      *http.Client
	now         func() time.Time
	log         *slog.Logger
	ttl         time.Duration
	minRefetch  time.Duration
	emptyRetry  time.Duration

	mu      sync.RWMutex
	keys    map[string]signingKey // replaced whole, never mutated
	fetched time.Time

	fetchMu     sync.Mutex // one fetch at a time
	lastAttempt time.Time  // guarded by fetchMu
}

func newKeyCache(metadataURL string, client *http.Client, now func() time.Time, log *slog.Logger) *keyCache {
	return &keyCache{
		metadataURL: metadataURL,
		client:      client,
		now:         now,
		log:         log,
		ttl:         keyTTL,
		minRefetch:  keyMinRefetch,
		emptyRetry:  keyEmptyRetry,
	}
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
	now := c.now()
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
	keys, err := c.fetch(context.WithoutCancel(ctx))
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
	return k, ok, c.keys != nil && c.now().Sub(c.fetched) < c.ttl
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

// parseKeySet keeps the RSA keys of a JWKS with their endorsements.
func parseKeySet(body []byte) (map[string]signingKey, error) {
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parse jwks: %w", err)
	}
	keys := make(map[string]signingKey, set.Len())
	for i := 0; i < set.Len(); i++ {
		key, _ := set.Get(i)
		if key.KeyID() == "" {
			continue
		}
		var pub rsa.PublicKey
		if err := key.Raw(&pub); err != nil {
			continue // not an RSA public key: never used for RS256
		}
		keys[key.KeyID()] = signingKey{pub: &pub, endorsements: stringList(key, "endorsements")}
	}
	if len(keys) == 0 {
		return nil, errors.New("jwks has no usable RSA keys")
	}
	return keys, nil
}

func stringList(key jwk.Key, name string) []string {
	v, ok := key.Get(name)
	if !ok {
		return nil
	}
	var out []string
	switch l := v.(type) {
	case []any:
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, l...)
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
