package slack

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/store"
)

// OAuth v2 install (manifests/slack/README.md#oauth-install-for-several-workspaces). The bot scopes are the ones the code
// uses: commands (slash commands) and chat:write (chat.postMessage,
// chat.update, chat.postEphemeral). views.publish needs no scope.
const (
	botScopes       = "commands,chat:write,im:write,users:read"
	oauthStateTTL   = 10 * time.Minute
	oauthCookie     = "outcomebot_slack_state"
	oauthCookiePath = "/slack/oauth"
)

// cookiePath is where the state cookie is sent back: the folder of the
// callback as the browser sees it (SLACK_REDIRECT_URL), so an install
// behind a proxy that adds a path prefix still passes the state check.
func (a *Adapter) cookiePath() string {
	if u, err := url.Parse(a.cfg.RedirectURL); err == nil && strings.HasPrefix(u.Path, "/") {
		return path.Dir(u.Path)
	}
	return oauthCookiePath
}

// serveInstall answers GET /slack/install: a redirect to Slack's authorize
// page with a fresh state, remembered in Redis (single use, 10 minutes) and
// in a cookie bound to this browser.
func (a *Adapter) serveInstall(w http.ResponseWriter, r *http.Request) {
	if !a.cfg.oauthEnabled() {
		http.Error(w, "Slack install is not configured on this server", http.StatusNotFound)
		return
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		http.Error(w, "cannot start the install", http.StatusInternalServerError)
		return
	}
	state := base64.RawURLEncoding.EncodeToString(b[:])
	if err := a.st.PutSlackOAuthState(r.Context(), state, oauthStateTTL); err != nil {
		a.log.LogAttrs(r.Context(), slog.LevelError, "slack install: state not stored", attrErr(err))
		http.Error(w, "cannot start the install right now; try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: oauthCookie, Value: state, Path: a.cookiePath(), MaxAge: int(oauthStateTTL / time.Second),
		HttpOnly: true, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https", SameSite: http.SameSiteLaxMode,
	})
	q := url.Values{
		"client_id":    {a.cfg.ClientID},
		"scope":        {botScopes},
		"redirect_uri": {a.cfg.RedirectURL},
		"state":        {state},
	}
	http.Redirect(w, r, a.cfg.authorizeURL()+"?"+q.Encode(), http.StatusFound)
}

// serveOAuthCallback answers GET /slack/oauth/callback: it checks state
// (same as the cookie, and known to Redis, which forgets it), exchanges the
// code at oauth.v2.access and stores the workspace's bot token encrypted.
func (a *Adapter) serveOAuthCallback(w http.ResponseWriter, r *http.Request) {
	if !a.cfg.oauthEnabled() {
		http.Error(w, "Slack install is not configured on this server", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		installPage(w, http.StatusBadRequest, "The install was cancelled ("+e+").")
		return
	}
	state, code := q.Get("state"), q.Get("code")
	c, err := r.Cookie(oauthCookie)
	if state == "" || code == "" || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		installPage(w, http.StatusForbidden, "This install link is invalid or was opened in another browser. Start again from /slack/install.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oauthCookie, Value: "", Path: a.cookiePath(), MaxAge: -1})
	known, err := a.st.TakeSlackOAuthState(ctx, state)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelError, "slack install: state not checked", attrErr(err))
		installPage(w, http.StatusServiceUnavailable, "The install could not be completed right now. Start again from /slack/install.")
		return
	}
	if !known {
		installPage(w, http.StatusForbidden, "This install link has expired or was already used. Start again from /slack/install.")
		return
	}
	resp, err := slack.GetOAuthV2ResponseContext(ctx, a.http, a.cfg.ClientID, a.cfg.ClientSecret, code, a.cfg.RedirectURL,
		slack.OAuthOptionAPIURL(a.cfg.APIURL))
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack install: code exchange failed", attrErr(err))
		installPage(w, http.StatusBadGateway, "Slack did not accept the install. Start again from /slack/install.")
		return
	}
	ws := workspaceID(resp.Team.ID, resp.Enterprise.ID, resp.IsEnterpriseInstall)
	name := resp.Team.Name
	if resp.IsEnterpriseInstall {
		name = resp.Enterprise.Name
	}
	if ws == "" || resp.AccessToken == "" || (resp.TokenType != "" && resp.TokenType != "bot") {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack install: no bot token in the answer", attrWS(ws))
		installPage(w, http.StatusBadGateway, "Slack did not return a bot token. Start again from /slack/install.")
		return
	}
	in := store.SlackInstall{Workspace: ws, TeamName: name, BotUserID: resp.BotUserID, InstalledBy: resp.AuthedUser.ID, InstalledAt: a.now()}
	if err := a.tokens.save(ctx, in, resp.AccessToken); err != nil {
		a.log.LogAttrs(ctx, slog.LevelError, "slack install: token not stored", attrWS(ws), attrErr(err))
		installPage(w, http.StatusServiceUnavailable, "The install could not be saved. Start again from /slack/install.")
		return
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "slack workspace installed", attrWS(ws), attrUser(resp.AuthedUser.ID))
	installPage(w, http.StatusOK, "outcomebot is installed in "+name+". Invite it to your IT escalation channels with /invite @outcomebot, then try /outcome help.")
}

var installTemplate = template.Must(template.New("install").Parse(
	`<!doctype html><html><head><meta charset="utf-8"><title>outcomebot for Slack</title></head>` +
		`<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>outcomebot</h1><p>{{.}}</p></body></html>`))

// installPage answers the browser with a short, escaped HTML page.
func installPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = installTemplate.Execute(w, msg)
}
