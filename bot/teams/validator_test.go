package teams

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
)

const testServiceURL = "https://smba.trafficmanager.net/amer/"

func newTestValidator(t *testing.T, o *oidcServer) *validator {
	kc := newKeyCache(o.metadataURL(), &http.Client{Timeout: 5 * time.Second}, slog.New(slog.DiscardHandler))
	return newValidator(testAppID, kc)
}

var msteams = activityClaims{ServiceURL: testServiceURL, ChannelID: "msteams"}

func TestValidatorClaims(t *testing.T) {
	o := newOIDCServer(t, "kid-1")
	v := newTestValidator(t, o)
	now := time.Now()
	other := "https://smba.example/other/"
	cases := []struct {
		name string
		spec tokenSpec
		ok   bool
	}{
		{"valid", tokenSpec{}, true},
		{"expired within skew", tokenSpec{exp: now.Add(-4 * time.Minute), nbf: now.Add(-time.Hour)}, true},
		{"expired beyond skew", tokenSpec{exp: now.Add(-6 * time.Minute), nbf: now.Add(-time.Hour)}, false},
		{"nbf within skew", tokenSpec{nbf: now.Add(4 * time.Minute)}, true},
		{"nbf beyond skew", tokenSpec{nbf: now.Add(6 * time.Minute)}, false},
		{"audience list", tokenSpec{extra: map[string]any{"aud": []string{"x", testAppID}}}, true},
		{"audience list without us", tokenSpec{extra: map[string]any{"aud": []string{"x", "y"}}}, false},
		{"no exp", tokenSpec{extra: map[string]any{"exp": nil}}, false},
		{"string exp", tokenSpec{extra: map[string]any{"exp": "tomorrow"}}, false},
		{"string nbf", tokenSpec{extra: map[string]any{"nbf": "yesterday"}}, false},
		{"issuer", tokenSpec{iss: "https://login.microsoftonline.com/x/v2.0"}, false},
		{"serviceurl other", tokenSpec{serviceURL: &other}, false},
		{"serviceurl object", tokenSpec{extra: map[string]any{"serviceurl": map[string]any{"a": 1}}}, false},
		{"serviceurl empty", tokenSpec{extra: map[string]any{"serviceurl": ""}}, false},
		{"wrong key", tokenSpec{kid: "kid-1", signWith: "kid-2"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Validate(context.Background(), "Bearer "+sign(t, tc.spec, testServiceURL), msteams)
			if (err == nil) != tc.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && authStatus(err) != http.StatusForbidden {
				t.Errorf("status %d, want 403", authStatus(err))
			}
		})
	}
}

func TestValidatorRejectsOtherAlgorithms(t *testing.T) {
	o := newOIDCServer(t, "kid-1")
	v := newTestValidator(t, o)
	claims := map[string]any{"iss": botFrameworkIssuer, "aud": testAppID, "serviceurl": testServiceURL,
		"exp": time.Now().Add(time.Hour).Unix()}
	key := keys(t)["kid-1"]
	// HS256 keyed with the public modulus: the classic algorithm confusion.
	hsTok := signClaims(t, jwa.HS256(), key.PublicKey.N.Bytes(), "kid-1", claims)
	payload, _ := json.Marshal(claims)
	noneTok := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"kid-1","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(payload) + "."
	rsTok := signClaims(t, jwa.RS512(), key, "kid-1", claims)
	noKidTok := signClaims(t, jwa.RS256(), key, "", claims)
	for name, tok := range map[string]string{"HS256": hsTok, "none": noneTok, "RS512": rsTok, "no kid": noKidTok, "garbage": "a.b.c"} {
		if err := v.Validate(context.Background(), "Bearer "+tok, msteams); err == nil {
			t.Errorf("%s token accepted", name)
		}
	}
	// The same claims, RS256 with the kid: accepted.
	if err := v.Validate(context.Background(), "Bearer "+signClaims(t, jwa.RS256(), key, "kid-1", claims), msteams); err != nil {
		t.Errorf("RS256 token refused: %v", err)
	}
}

func TestValidatorAuthorizationHeader(t *testing.T) {
	v := newTestValidator(t, newOIDCServer(t, "kid-1"))
	good := sign(t, tokenSpec{}, testServiceURL)
	for h, want := range map[string]int{
		"":                                      http.StatusUnauthorized,
		"Bearer":                                http.StatusUnauthorized,
		"Bearer   ":                             http.StatusUnauthorized,
		"Basic dXNlcjpwYXNz":                    http.StatusUnauthorized,
		good:                                    http.StatusUnauthorized, // no scheme
		"Bearer " + strings.Repeat("a", 20<<10): http.StatusForbidden,
	} {
		err := v.Validate(context.Background(), h, msteams)
		if err == nil || authStatus(err) != want {
			t.Errorf("header %.20q: err %v, want status %d", h, err, want)
		}
	}
	if err := v.Validate(context.Background(), "bearer "+good, msteams); err != nil {
		t.Errorf("lower-case scheme refused: %v", err)
	}
}

func TestValidatorEndorsements(t *testing.T) {
	o := newOIDCServer(t, "kid-1")
	o.endorsements = []string{"webchat"}
	v := newTestValidator(t, o)
	err := v.Validate(context.Background(), "Bearer "+sign(t, tokenSpec{}, testServiceURL), msteams)
	if err == nil || !strings.Contains(err.Error(), "endorsed") {
		t.Fatalf("key not endorsed for msteams: err = %v", err)
	}
	if err := v.Validate(context.Background(), "Bearer "+sign(t, tokenSpec{}, testServiceURL), activityClaims{ServiceURL: testServiceURL}); err == nil {
		t.Fatal("activity without channelId accepted")
	}
}

func TestValidatorMetadataUnavailable(t *testing.T) {
	o := newOIDCServer(t, "kid-1")
	v := newTestValidator(t, o)
	tok := sign(t, tokenSpec{}, testServiceURL)
	if err := v.Validate(context.Background(), "Bearer "+tok, msteams); err != nil {
		t.Fatal(err)
	}
	// The server goes away and the cached keys go stale: they are still used.
	o.Close()
	v.keys.minRefetch = 0
	v.keys.mu.Lock()
	v.keys.fetched = time.Now().Add(-48 * time.Hour)
	v.keys.mu.Unlock()
	if err := v.Validate(context.Background(), "Bearer "+tok, msteams); err != nil {
		t.Fatalf("stale keys not used while the JWKS is unreachable: %v", err)
	}
	// A validator that never fetched fails cleanly.
	fresh := newTestValidator(t, o)
	if err := fresh.Validate(context.Background(), "Bearer "+tok, msteams); err == nil || !errors.Is(err, errInvalidAuth) ||
		authStatus(err) != http.StatusServiceUnavailable {
		t.Fatalf("no keys: err = %v, want an invalid-token error answered 503", err)
	}
}

// TestValidatorConcurrent validates from many goroutines while keys rotate
// (run with -race).
func TestValidatorConcurrent(t *testing.T) {
	o := newOIDCServer(t, "kid-1", "kid-2")
	v := newTestValidator(t, o)
	v.keys.minRefetch = 0
	toks := map[string]bool{
		sign(t, tokenSpec{kid: "kid-1"}, testServiceURL):                    true,
		sign(t, tokenSpec{kid: "kid-2"}, testServiceURL):                    true,
		sign(t, tokenSpec{kid: "kid-1", aud: "other"}, testServiceURL):      false,
		sign(t, tokenSpec{kid: "kid-1", signWith: "kid-2"}, testServiceURL): false,
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				for tok, ok := range toks {
					if err := v.Validate(context.Background(), "Bearer "+tok, msteams); (err == nil) != ok {
						errs <- fmt.Errorf("goroutine %d round %d: err %v, want ok=%v", g, i, err, ok)
						return
					}
				}
				if g == 0 && i%5 == 0 {
					// force refetches while others read
					v.keys.mu.Lock()
					v.keys.fetched = time.Time{}
					v.keys.mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestFirstKeyFetchFailureIsRetriedSoon, over real HTTP: when the first
// OpenID/JWKS fetch fails nothing is cached; activities get 503 with
// Retry-After (the connector retries, the token may be good) until a fetch
// succeeds. The spacing of fetches is timed in TestKeyCacheFetchTiming.
func TestFirstKeyFetchFailureIsRetriedSoon(t *testing.T) {
	e := newEnv(t)
	kc := e.adapter.validator.keys
	kc.emptyRetry = time.Hour // no second fetch until the test says so

	e.oidc.down.Store(true)
	act := e.command(dmConv, "personal", admin, "outcome whoami")
	if resp := e.post(act, &tokenSpec{}); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("keys unavailable: status %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	e.oidc.down.Store(false)
	if resp := e.post(act, &tokenSpec{}); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("retry within the backoff: status %d, want 503", resp.StatusCode)
	}
	if n := e.oidc.fetches.Load(); n != 0 {
		t.Fatalf("%d JWKS fetches within the backoff, want 0", n)
	}
	kc.emptyRetry = 0 // the backoff has passed
	if resp := e.post(act, &tokenSpec{}); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the backoff: status %d, want 200", resp.StatusCode)
	}
	if calls := e.conn.take(); len(calls) != 1 {
		t.Fatalf("%d connector calls, want the reply", len(calls))
	}
	// With keys cached, an unknown kid is still a bad token (403) and the
	// minute between refetches holds.
	if resp := e.post(e.command(dmConv, "personal", admin, "outcome whoami"), &tokenSpec{kid: "kid-3"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unknown kid: status %d, want 403", resp.StatusCode)
	}
}

// fakeKeySource stands in for the metadata and JWKS fetch, so the key
// cache can be timed in a synctest bubble.
type fakeKeySource struct {
	mu      sync.Mutex
	kids    []string
	down    bool
	fetches int
}

func (f *fakeKeySource) fetch(context.Context) (map[string]signingKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches++
	if f.down {
		return nil, errors.New("jwks: status 503")
	}
	keys := map[string]signingKey{}
	for _, kid := range f.kids {
		keys[kid] = signingKey{endorsements: []string{"msteams"}}
	}
	return keys, nil
}

// TestKeyCacheFetchTiming: a failed first fetch is retried after
// keyEmptyRetry; an unknown kid triggers a refetch at most once per
// keyMinRefetch (key rotation); keys are refetched after keyTTL, and kept
// when that refetch fails.
func TestKeyCacheFetchTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &fakeKeySource{kids: []string{"kid-1"}, down: true}
		kc := newKeyCache("http://unused.test/", nil, slog.New(slog.DiscardHandler))
		kc.fetchKeys = src.fetch
		ctx := t.Context()
		lookup := func(kid string) error { _, err := kc.Lookup(ctx, kid); return err }
		step := func(what string, err error, wantOK bool, wantFetches int) {
			t.Helper()
			if (err == nil) != wantOK || src.fetches != wantFetches {
				t.Fatalf("%s: err %v, %d fetches; want ok=%v and %d fetches", what, err, src.fetches, wantOK, wantFetches)
			}
		}

		err := lookup("kid-1")
		step("first fetch fails", err, false, 1)
		if !errors.Is(err, errKeysUnavailable) {
			t.Fatalf("first fetch failed: %v, want errKeysUnavailable", err)
		}
		src.down = false
		time.Sleep(keyEmptyRetry - time.Millisecond)
		step("just before the empty retry", lookup("kid-1"), false, 1)
		time.Sleep(time.Millisecond)
		step("at the empty retry", lookup("kid-1"), true, 2)

		src.kids = []string{"kid-1", "kid-2"} // rotation: a new key is published
		step("unknown kid within the minute", lookup("kid-2"), false, 2)
		time.Sleep(keyMinRefetch)
		step("unknown kid after the minute", lookup("kid-2"), true, 3)
		step("known kid, cached", lookup("kid-1"), true, 3)

		time.Sleep(keyTTL)
		src.down = true
		step("stale keys, refetch fails: kept", lookup("kid-1"), true, 4)
		time.Sleep(keyMinRefetch)
		src.down = false
		src.kids = []string{"kid-2"}
		step("stale keys refetched", lookup("kid-2"), true, 5)
		step("a retired key is gone", lookup("kid-1"), false, 5)
	})
}
