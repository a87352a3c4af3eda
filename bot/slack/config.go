package slack

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Defaults for Config's zero values.
const (
	DefaultAPIURL         = "https://slack.com/api/"
	DefaultMaxBody        = 64 << 10
	DefaultCommandTimeout = 2500 * time.Millisecond
)

// Config configures the Slack adapter. The main program fills it from the
// environment (names in brackets).
type Config struct {
	// SigningSecret verifies every request from Slack [SLACK_SIGNING_SECRET].
	// Required unless AppToken is set; without it every HTTP request is refused.
	SigningSecret string
	// BotToken is the single-workspace bot token (xoxb-…) [SLACK_BOT_TOKEN].
	// Without OAuth it serves every request. With OAuth it serves only its
	// own workspace (found with auth.test on first use); any other workspace
	// without a token of its own from an OAuth install is not installed.
	BotToken string
	// AppToken is the app-level token (xapp-…) that turns on Socket Mode [SLACK_APP_TOKEN].
	AppToken string
	// APIURL is the Web API base URL, default DefaultAPIURL [SLACK_API_URL].
	APIURL string
	// ClientID, ClientSecret and RedirectURL turn on the multi-workspace
	// install (/slack/install) [SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_REDIRECT_URL].
	ClientID, ClientSecret, RedirectURL string
	// SecretKey encrypts stored bot tokens: a base64 encoding of 32 bytes, or
	// any passphrase (its SHA-256 is the key) [OUTCOMEBOT_SECRET_KEY].
	// Required with ClientID.
	SecretKey string
	// MaxBody caps a request body, default DefaultMaxBody; larger ones get 413.
	MaxBody int64
	// CommandTimeout is how long a slash command may run before Slack is
	// answered "Working on it…" and the result follows through response_url.
	// Default DefaultCommandTimeout; it must stay under Slack's 3 s.
	CommandTimeout time.Duration
}

// withDefaults fills zero values and checks the configuration.
func (c Config) withDefaults() (Config, error) {
	if c.SigningSecret == "" && c.AppToken == "" {
		return c, errors.New("slack: a signing secret (HTTP) or an app-level token (Socket Mode) is required")
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return c, fmt.Errorf("slack: invalid API URL %q", c.APIURL)
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.CommandTimeout <= 0 || c.CommandTimeout > 2800*time.Millisecond {
		c.CommandTimeout = DefaultCommandTimeout
	}
	if c.ClientID != "" {
		if c.ClientSecret == "" || c.RedirectURL == "" {
			return c, errors.New("slack: OAuth install needs client id, client secret and redirect URL together")
		}
		if c.SecretKey == "" {
			return c, errors.New("slack: OAuth install needs a secret key to encrypt stored tokens")
		}
	}
	return c, nil
}

// oauthEnabled reports whether the multi-workspace install is configured.
func (c Config) oauthEnabled() bool { return c.ClientID != "" }

// authorizeURL is Slack's OAuth authorize page for the configured API URL
// (https://slack.com/oauth/v2/authorize for the default).
func (c Config) authorizeURL() string {
	base := strings.TrimSuffix(c.APIURL, "api/")
	return base + "oauth/v2/authorize"
}
