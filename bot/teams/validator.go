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

	"github.com/golang-jwt/jwt/v4"
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

// validator checks inbound Bot Connector tokens: RS256 signatures against
// the keys named by the OpenID metadata, the issuer, the audience (our app
// id), exp/nbf with clockSkew, the serviceurl claim and the signing key's
// channel endorsements. It is safe for concurrent use.
type validator struct {
	appID  string
	issuer string
	keys   *keyCache
	now    func() time.Time
	parser *jwt.Parser
}

func newValidator(appID string, keys *keyCache, now func() time.Time) *validator {
	return &validator{
		appID:  appID,
		issuer: botFrameworkIssuer,
		keys:   keys,
		now:    now,
		// Claims are checked below, with our clock and our skew.
		parser: jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation()),
	}
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
	claims := jwt.MapClaims{}
	_, err = v.parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, ok := t.Header["kid"].(string)
		if !ok || kid == "" {
			return nil, errors.New("token header has no kid")
		}
		k, err := v.keys.Lookup(ctx, kid)
		if err != nil {
			return nil, err
		}
		signer = k
		return k.pub, nil
	})
	if err != nil {
		return fmt.Errorf("%w: %w", errInvalidAuth, err)
	}
	if err := v.checkClaims(claims, act); err != nil {
		return fmt.Errorf("%w: %w", errInvalidAuth, err)
	}
	if act.ChannelID == "" || !slices.Contains(signer.endorsements, act.ChannelID) {
		return fmt.Errorf("%w: signing key is not endorsed for channel %q", errInvalidAuth, act.ChannelID)
	}
	return nil
}

// checkClaims checks iss, aud, exp, nbf and serviceurl. Every claim is read
// with a type check: a missing or mistyped claim is a rejection.
func (v *validator) checkClaims(c jwt.MapClaims, act activityClaims) error {
	if iss, _ := c["iss"].(string); iss != v.issuer {
		return fmt.Errorf("issuer %q is not %q", iss, v.issuer)
	}
	if !audienceContains(c["aud"], v.appID) {
		return errors.New("audience is not this bot")
	}
	now := v.now()
	exp, ok := numericClaim(c["exp"])
	if !ok {
		return errors.New("token has no exp")
	}
	if now.After(exp.Add(clockSkew)) {
		return fmt.Errorf("token expired at %s", exp.UTC().Format(time.RFC3339))
	}
	if raw, present := c["nbf"]; present {
		nbf, ok := numericClaim(raw)
		if !ok {
			return errors.New("token nbf is not a number")
		}
		if now.Before(nbf.Add(-clockSkew)) {
			return fmt.Errorf("token not valid before %s", nbf.UTC().Format(time.RFC3339))
		}
	}
	su, ok := c["serviceurl"].(string)
	if !ok || su == "" {
		return errors.New("token has no serviceurl claim")
	}
	if su != act.ServiceURL {
		return errors.New("serviceurl claim does not match the activity's serviceUrl")
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

func audienceContains(aud any, appID string) bool {
	switch a := aud.(type) {
	case string:
		return a == appID
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok && s == appID {
				return true
			}
		}
	}
	return false
}

// numericClaim reads a NumericDate claim (seconds since the epoch).
func numericClaim(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
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
