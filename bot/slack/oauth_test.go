package slack

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func timeNow() time.Time { return time.Now() }

func withOAuth(c *Config) {
	c.BotToken = ""
	c.ClientID, c.ClientSecret = "123.456", "client-secret"
	c.RedirectURL = "https://outcomebot.example.com/slack/oauth/callback"
	c.SecretKey = "bm90LWEtcmVhbC1rZXktYnV0LTMyLWJ5dGVzLWxvbmc=" // 32 bytes, base64
}

// startInstall follows GET /slack/install and returns the state and cookie.
func (h *harness) startInstall(t *testing.T) (string, *http.Cookie) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(h.srv.URL + "/slack/install")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("install: HTTP %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	if !strings.HasPrefix(loc.String(), h.slack.GetAPIURL()+"oauth/v2/authorize?") || q.Get("client_id") != "123.456" ||
		q.Get("scope") != "commands,chat:write,im:write,users:read" || q.Get("redirect_uri") != "https://outcomebot.example.com/slack/oauth/callback" {
		t.Fatalf("authorize URL %s", loc)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == oauthCookie {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != q.Get("state") || !cookie.HttpOnly {
		t.Fatalf("state cookie %+v for state %q", cookie, q.Get("state"))
	}
	return q.Get("state"), cookie
}

// callback calls the OAuth callback with code and state (and the cookie).
func (h *harness) callback(t *testing.T, code, state string, cookie *http.Cookie) (int, string) {
	t.Helper()
	r, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/slack/oauth/callback?"+url.Values{"code": {code}, "state": {state}}.Encode(), nil)
	if cookie != nil {
		r.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	}
	return h.do(r)
}

// install runs the whole OAuth install of team.
func (h *harness) install(t *testing.T, team string) {
	t.Helper()
	h.slack.mu.Lock()
	h.slack.oauth["code-"+team] = team
	h.slack.mu.Unlock()
	state, cookie := h.startInstall(t)
	if status, body := h.callback(t, "code-"+team, state, cookie); status != 200 || !strings.Contains(body, "installed") {
		t.Fatalf("callback: HTTP %d %s", status, body)
	}
}

func TestOAuthInstallStoresAnEncryptedTokenPerTeam(t *testing.T) {
	h := newHarness(t, withOAuth)
	h.install(t, "TA")
	h.install(t, "TB")
	ctx := context.Background()
	in, err := h.st.SlackInstall(ctx, "TA")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(in.SealedToken), "xoxb") || in.TeamName != "Team TA" || in.InstalledBy != "UINSTALLER" {
		t.Fatalf("stored install %+v", in)
	}
	ex := h.slack.Calls("oauth.v2.access")
	if len(ex) != 2 || ex[0].Form.Get("client_id") != "123.456" || ex[0].Form.Get("redirect_uri") != "https://outcomebot.example.com/slack/oauth/callback" {
		t.Fatalf("code exchange: %+v", ex)
	}

	// Each team's messages go out with its own token.
	for _, team := range []string{"TA", "TB"} {
		h.command(team, "UADMIN", "CADMIN", "/outcome", `add pos "Point of sale" it-channel=<#CIT|it>`)
		h.command(team, "UREQ", "CSTORE", "/tag", "INC1 pos")
		h.command(team, "UREQ", "CSTORE", "/escalate", "INC1 down")
	}
	h.wait()
	tokens := map[string]int{}
	for _, c := range h.slack.Calls("chat.postMessage") {
		tokens[c.Form.Get("token")]++
	}
	if tokens["xoxb-TA-installed"] != 2 || tokens["xoxb-TB-installed"] != 2 || len(tokens) != 2 {
		t.Fatalf("tokens used: %v", tokens)
	}
	// A fresh adapter (another replica) decrypts the stored token.
	other, err := newAdapter(h.a.cfg, h.core, h.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := other.tokens.token(ctx, "TB"); err != nil || tok != "xoxb-TB-installed" {
		t.Fatalf("other replica: %q, %v", tok, err)
	}
}

func TestOAuthCallbackChecksState(t *testing.T) {
	h := newHarness(t, withOAuth)
	h.slack.mu.Lock()
	h.slack.oauth["good"] = "TX"
	h.slack.mu.Unlock()

	state, cookie := h.startInstall(t)
	if status, _ := h.callback(t, "good", "forged-state", &http.Cookie{Name: oauthCookie, Value: "forged-state"}); status != http.StatusForbidden {
		t.Fatalf("unknown state: HTTP %d", status)
	}
	if status, _ := h.callback(t, "good", state, nil); status != http.StatusForbidden {
		t.Fatalf("no cookie: HTTP %d", status)
	}
	if status, _ := h.callback(t, "good", state, &http.Cookie{Name: oauthCookie, Value: "other"}); status != http.StatusForbidden {
		t.Fatalf("cookie mismatch: HTTP %d", status)
	}
	if status, _ := h.callback(t, "good", state, cookie); status != http.StatusOK {
		t.Fatalf("good state: HTTP %d", status)
	}
	if status, _ := h.callback(t, "good", state, cookie); status != http.StatusForbidden {
		t.Fatalf("state reused: HTTP %d", status)
	}
	if n := len(h.slack.Calls("oauth.v2.access")); n != 1 {
		t.Fatalf("code exchanged %d times, want once", n)
	}
	state, cookie = h.startInstall(t)
	if status, _ := h.callback(t, "bad-code", state, cookie); status != http.StatusBadGateway {
		t.Fatalf("rejected code: HTTP %d", status)
	}
}

func TestInstallIsOffWithoutOAuthConfig(t *testing.T) {
	h := newHarness(t, nil)
	resp, err := http.Get(h.srv.URL + "/slack/install")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
}

func TestSealer(t *testing.T) {
	s, err := newSealer("passphrase")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.seal("T1", "xoxb-secret")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "xoxb") {
		t.Fatal("token in clear")
	}
	if got, err := s.open("T1", sealed); err != nil || got != "xoxb-secret" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := s.open("T2", sealed); err == nil {
		t.Fatal("a token sealed for T1 opened as T2's")
	}
	other, _ := newSealer("another passphrase")
	if _, err := other.open("T1", sealed); err == nil {
		t.Fatal("opened with the wrong key")
	}
	again, _ := s.seal("T1", "xoxb-secret")
	if string(again) == string(sealed) {
		t.Fatal("nonce reused")
	}
}

// TestChangedSecretKeyAsksToReinstall: a token sealed under another
// OUTCOMEBOT_SECRET_KEY cannot be read; the workspace is treated as not
// installed (its users are told to install again, which seals a new token
// with the current key), not as a passing failure to retry forever.
func TestChangedSecretKeyAsksToReinstall(t *testing.T) {
	h := newHarness(t, withOAuth)
	h.install(t, "TA")
	other, err := newSealer("a different key")
	if err != nil {
		t.Fatal(err)
	}
	h.a.tokens.mu.Lock()
	h.a.tokens.sealer = other
	clear(h.a.tokens.cache)
	h.a.tokens.mu.Unlock()
	_, rb := h.command("TA", "UADMIN", "CADMIN", "/outcome", "list")
	if !strings.Contains(rb.Text, "not installed") {
		t.Fatalf("a token sealed under another key: %q; want the install hint", rb.Text)
	}
	if _, err := h.a.tokens.token(context.Background(), "TA"); !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "OUTCOMEBOT_SECRET_KEY") {
		t.Errorf("token lookup error %v; want ErrNotInstalled naming the key", err)
	}
}

// TestStateCookiePathFollowsTheRedirectURL: behind a proxy that adds a
// path prefix, the state cookie is scoped to the callback's folder as the
// browser sees it, so the browser sends it back.
func TestStateCookiePathFollowsTheRedirectURL(t *testing.T) {
	for redirect, want := range map[string]string{
		"https://bot.example.com/slack/oauth/callback":        "/slack/oauth",
		"https://example.com/outcomebot/slack/oauth/callback": "/outcomebot/slack/oauth",
		"https://bot.example.com/callback":                    "/",
		"not a url \x7f":                                      "/slack/oauth",
	} {
		a := &Adapter{cfg: Config{RedirectURL: redirect}}
		if got := a.cookiePath(); got != want {
			t.Errorf("redirect %q: cookie path %q, want %q", redirect, got, want)
		}
	}
}
