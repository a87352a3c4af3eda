package teams

import (
	"errors"
	"fmt"
	"net/url"
)

// Defaults for Config.
const (
	// DefaultOpenIDMetadataURL is Bot Framework's OpenID metadata document.
	DefaultOpenIDMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	// DefaultMaxBody is the largest inbound activity accepted, in bytes.
	DefaultMaxBody = 256 << 10
	// botFrameworkScope is the scope of outbound client-credentials tokens.
	botFrameworkScope = "https://api.botframework.com/.default"
	// botFrameworkIssuer is the issuer of inbound Bot Connector tokens.
	botFrameworkIssuer = "https://api.botframework.com"
)

// Config configures the Teams adapter. main fills it from MICROSOFT_APP_ID,
// MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID, TEAMS_OPENID_METADATA_URL
// and TEAMS_TOKEN_URL.
type Config struct {
	// AppID is the bot's Microsoft App ID: the audience of inbound tokens and
	// the client id of outbound ones.
	AppID string
	// AppPassword is the client secret. It is never logged.
	AppPassword string
	// TenantID is the single tenant the bot is registered in. Activities from
	// other tenants are refused.
	TenantID string
	// OpenIDMetadataURL names the JWKS inbound tokens are checked against;
	// default DefaultOpenIDMetadataURL.
	OpenIDMetadataURL string
	// TokenURL is the client-credentials endpoint; default the tenant's
	// https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.
	TokenURL string
	// MaxBody caps an inbound request body; default DefaultMaxBody.
	MaxBody int64
}

// withDefaults fills the defaults and checks the settings.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.AppID == "" {
		errs = append(errs, errors.New("MICROSOFT_APP_ID is required"))
	}
	if c.AppPassword == "" {
		errs = append(errs, errors.New("MICROSOFT_APP_PASSWORD is required"))
	}
	if c.TenantID == "" {
		errs = append(errs, errors.New("MICROSOFT_APP_TENANT_ID is required"))
	}
	if c.OpenIDMetadataURL == "" {
		c.OpenIDMetadataURL = DefaultOpenIDMetadataURL
	}
	if c.TokenURL == "" && c.TenantID != "" {
		c.TokenURL = "https://login.microsoftonline.com/" + url.PathEscape(c.TenantID) + "/oauth2/v2.0/token"
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	for name, u := range map[string]string{"TEAMS_OPENID_METADATA_URL": c.OpenIDMetadataURL, "TEAMS_TOKEN_URL": c.TokenURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q is not an http(s) URL", name, u))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("teams config: %w", err)
	}
	return c, nil
}
