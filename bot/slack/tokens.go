package slack

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
)

// ErrNotInstalled means a workspace has no bot token: it never installed
// the app through /slack/install and it is not the workspace of the
// single-workspace token (or none is set).
var ErrNotInstalled = errors.New("outcomebot is not installed in this Slack workspace")

// sealer encrypts bot tokens at rest with AES-256-GCM. The workspace id is
// authenticated with each token, so a sealed token copied to another
// workspace's key does not open.
type sealer struct{ aead cipher.AEAD }

// sealVersion prefixes every sealed token, for a future change of scheme.
const sealVersion = 1

// newSealer derives the key from secret: 32 bytes given in base64, or the
// SHA-256 of any other string.
func newSealer(secret string) (*sealer, error) {
	key := secretKey(secret)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("slack: token cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("slack: token cipher: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func secretKey(secret string) []byte {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(strings.TrimSpace(secret)); err == nil && len(k) == 32 {
			return k
		}
	}
	k := sha256.Sum256([]byte(secret))
	return k[:]
}

// seal encrypts token for workspace ws.
func (s *sealer) seal(ws, token string) ([]byte, error) {
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(token)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("seal token: %w", err)
	}
	return s.aead.Seal(out, out[1:], []byte(token), []byte(ws)), nil
}

// open decrypts a token sealed for workspace ws.
func (s *sealer) open(ws string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return "", errors.New("open token: unknown format")
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(ws))
	if err != nil {
		return "", fmt.Errorf("open token: %w", err)
	}
	return string(plain), nil
}

// tokenTTL is how long a looked-up token is kept in memory. An uninstall
// seen by another replica takes at most this long to be noticed here.
const (
	tokenTTL        = time.Minute
	missingTokenTTL = 5 * time.Second
)

// ownerRetry is how long a failed auth.test of the single-workspace token
// is remembered before it is tried again.
const ownerRetry = 5 * time.Second

// ownerLookupTimeout bounds the auth.test call that learns the
// single-workspace token's team.
const ownerLookupTimeout = 5 * time.Second

// tokens resolves the bot token of a workspace: its own token from an OAuth
// install (decrypted, cached briefly), else the single-workspace BotToken.
// Without OAuth the BotToken serves every workspace, as before; with OAuth
// it serves only its own workspace (learnt once with auth.test), and any
// other workspace without a stored token is not installed.
type tokens struct {
	store    *store.Store
	sealer   *sealer // nil when OAuth install is off
	fallback string
	now      func() time.Time
	// whoami calls auth.test with a token.
	whoami func(ctx context.Context, token string) (*slack.AuthTestResponse, error)

	mu    sync.Mutex
	cache map[string]cachedToken

	ownerMu sync.Mutex // held across the one auth.test call
	owner   fallbackOwner
}

// fallbackOwner is the workspace of the single-workspace token.
type fallbackOwner struct {
	known            bool
	team, enterprise string
	err              error     // the last auth.test failure
	retryAt          time.Time // when to try auth.test again after err
}

type cachedToken struct {
	token   string
	expires time.Time
}

// token returns ws's bot token or ErrNotInstalled.
func (t *tokens) token(ctx context.Context, ws string) (string, error) {
	if t.sealer == nil {
		if t.fallback == "" {
			return "", ErrNotInstalled
		}
		return t.fallback, nil
	}
	now := t.now()
	t.mu.Lock()
	c, ok := t.cache[ws]
	t.mu.Unlock()
	if !ok || now.After(c.expires) {
		tok, err := t.lookup(ctx, ws)
		if err != nil {
			return "", err
		}
		ttl := tokenTTL
		if tok == "" {
			ttl = missingTokenTTL
		}
		c = cachedToken{token: tok, expires: now.Add(ttl)}
		t.mu.Lock()
		if len(t.cache) > maxCachedTokens {
			t.evictExpired(now)
		}
		t.cache[ws] = c
		t.mu.Unlock()
	}
	if c.token != "" {
		return c.token, nil
	}
	return t.fallbackFor(ctx, ws)
}

// fallbackFor returns the single-workspace token if ws is its workspace,
// else ErrNotInstalled. The token's team (and enterprise) are learnt with
// auth.test on first use and kept; a failed auth.test is an error (not a
// fallback), remembered for ownerRetry.
func (t *tokens) fallbackFor(ctx context.Context, ws string) (string, error) {
	if t.fallback == "" || t.whoami == nil {
		return "", ErrNotInstalled
	}
	t.ownerMu.Lock()
	defer t.ownerMu.Unlock()
	o := &t.owner
	if !o.known {
		if o.err != nil && t.now().Before(o.retryAt) {
			return "", o.err
		}
		// Its own bounded context: callers queue on ownerMu, and a caller's
		// short deadline must not make each of them ask again.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ownerLookupTimeout)
		resp, err := t.whoami(wctx, t.fallback)
		cancel()
		if err == nil && resp.TeamID == "" && resp.EnterpriseID == "" {
			err = errors.New("no team id in the answer")
		}
		if err != nil {
			err = fmt.Errorf("slack: auth.test of the single-workspace bot token: %w", err)
			o.err, o.retryAt = err, t.now().Add(ownerRetry)
			return "", err
		}
		*o = fallbackOwner{known: true, team: resp.TeamID, enterprise: resp.EnterpriseID}
	}
	// An org-wide token (auth.test names no team) serves its enterprise; a
	// workspace token serves its team only, even inside an Enterprise Grid.
	if ws != "" && (ws == o.team || (o.team == "" && ws == o.enterprise)) {
		return t.fallback, nil
	}
	return "", ErrNotInstalled
}

// maxCachedTokens bounds the token cache; past it, expired entries go.
const maxCachedTokens = 10000

// evictExpired drops expired cache entries, and everything if that is not
// enough, so the cache stays bounded without forgetting live tokens at once.
// t.mu is held.
func (t *tokens) evictExpired(now time.Time) {
	for ws, c := range t.cache {
		if now.After(c.expires) {
			delete(t.cache, ws)
		}
	}
	if len(t.cache) > maxCachedTokens {
		clear(t.cache)
	}
}

// lookup reads and decrypts ws's stored token; "" when there is none.
func (t *tokens) lookup(ctx context.Context, ws string) (string, error) {
	in, err := t.store.SlackInstall(ctx, ws)
	if errors.Is(err, record.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up bot token of %s: %w", ws, err)
	}
	tok, err := t.sealer.open(ws, in.SealedToken)
	if err != nil {
		// Not a passing failure: the key changed since the install. The fix
		// is to install again (the new token is sealed with the current
		// key), which is what users of a workspace without a token are told.
		return "", fmt.Errorf("the stored bot token of %s cannot be decrypted with OUTCOMEBOT_SECRET_KEY (was the key changed? install the app again): %w: %w", ws, err, ErrNotInstalled)
	}
	return tok, nil
}

// save stores ws's new token, encrypted, and caches it.
func (t *tokens) save(ctx context.Context, in store.SlackInstall, token string) error {
	sealed, err := t.sealer.seal(in.Workspace, token)
	if err != nil {
		return err
	}
	in.SealedToken = sealed
	if err := t.store.SaveSlackInstall(ctx, in); err != nil {
		return err
	}
	t.mu.Lock()
	t.cache[in.Workspace] = cachedToken{token: token, expires: t.now().Add(tokenTTL)}
	t.mu.Unlock()
	return nil
}

// remove deletes ws's stored token (app uninstalled or token revoked).
func (t *tokens) remove(ctx context.Context, ws string) (bool, error) {
	t.mu.Lock()
	delete(t.cache, ws)
	t.mu.Unlock()
	if t.store == nil {
		return false, nil
	}
	return t.store.DeleteSlackInstall(ctx, ws)
}
