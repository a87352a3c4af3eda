package teams

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Validation settings.
const (
	// clockSkew is the leeway on exp and nbf the Bot Framework docs allow.
	clockSkew = 5 * time.Minute
	// maxAuthHeader bounds the Authorization header parsed at all.
	maxAuthHeader = 16 << 10
)

// Sentinel errors of token validation. errMissingAuth answers 401,
// errKeysUnavailable (keys.go) 503; every other failure answers 403.
var (
	errMissingAuth = errors.New("missing bearer token")
	errInvalidAuth = errors.New("invalid token")
)

// activityClaims are the parts of an activity the token must vouch for.
type activityClaims struct {
	ServiceURL string
	ChannelID  string
}

// validator checks inbound Bot Connector tokens with jwx: RS256 signatures
// against the keys named by the OpenID metadata, the issuer, the audience
// (our app id), exp (required) and nbf/iat with clockSkew, then the
// serviceurl claim and the signing key's channel endorsements. It is safe
// for concurrent use.
type validator struct {
	appID  string
	issuer string
	keys   *keyCache
}

func newValidator(appID string, keys *keyCache) *validator {
	return &validator{appID: appID, issuer: botFrameworkIssuer, keys: keys}
}

// Validate checks the Authorization header of a request carrying an activity
// with the given serviceUrl and channelId. It returns nil only when every
// check passes; errors wrap errMissingAuth or errInvalidAuth.
func (v *validator) Validate(ctx context.Context, authHeader string, act activityClaims) error {
	raw, err := bearerToken(authHeader)
	if err != nil {
		return err
	}
	var signer signingKey
	// The key provider admits RS256 only, with the key the header's kid
	// names: no algorithm is inferred from the key, none is taken from the
	// token for another key type.
	keyFor := jws.KeyProviderFunc(func(_ context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
		h := sig.ProtectedHeaders()
		if alg, ok := h.Algorithm(); !ok || alg != jwa.RS256() {
			return fmt.Errorf("token algorithm %v is not RS256", alg)
		}
		kid, ok := h.KeyID()
		if !ok || kid == "" {
			return errors.New("token header has no kid")
		}
		k, err := v.keys.Lookup(ctx, kid)
		if err != nil {
			return err
		}
		signer = k
		sink.Key(jwa.RS256(), k.pub)
		return nil
	})
	tok, err := jwt.Parse([]byte(raw),
		jwt.WithKeyProvider(keyFor),
		jwt.WithIssuer(v.issuer),
		jwt.WithAudience(v.appID),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithAcceptableSkew(clockSkew),
	)
	if err != nil {
		return fmt.Errorf("%w: %w", errInvalidAuth, err)
	}
	var su string
	if err := tok.Get("serviceurl", &su); err != nil || su == "" {
		return fmt.Errorf("%w: token has no serviceurl claim", errInvalidAuth)
	}
	if su != act.ServiceURL {
		return fmt.Errorf("%w: serviceurl claim does not match the activity's serviceUrl", errInvalidAuth)
	}
	if act.ChannelID == "" || !slices.Contains(signer.endorsements, act.ChannelID) {
		return fmt.Errorf("%w: signing key is not endorsed for channel %q", errInvalidAuth, act.ChannelID)
	}
	return nil
}

// bearerToken extracts the token from an Authorization header.
func bearerToken(h string) (string, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", errMissingAuth
	}
	if len(h) > maxAuthHeader {
		return "", fmt.Errorf("%w: authorization header too long", errInvalidAuth)
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", fmt.Errorf("%w: authorization is not a bearer token", errMissingAuth)
	}
	return strings.TrimSpace(tok), nil
}

// authStatus maps a validation error to the HTTP status to answer: 401
// without a token, 503 when the signing keys cannot be fetched (the token
// may be good; the Bot Connector retries a 5xx), else 403.
func authStatus(err error) int {
	switch {
	case errors.Is(err, errMissingAuth):
		return http.StatusUnauthorized
	case errors.Is(err, errKeysUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusForbidden
}

// signingKey is one RSA key of the JWKS with the channels it is endorsed for.
type signingKey struct {
	pub          *rsa.PublicKey
	endorsements []string
}
