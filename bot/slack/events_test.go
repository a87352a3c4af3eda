package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
)

func eventBody(team, id string, inner map[string]any) string {
	js, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
		"event_id": id, "event_time": time.Now().Unix(), "event": inner,
	})
	return string(js)
}

func TestURLVerificationEchoesTheChallenge(t *testing.T) {
	h := newHarness(t, nil)
	status, body := h.post("/slack/events", "application/json", `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	var got map[string]string
	_ = json.Unmarshal([]byte(body), &got)
	if status != 200 || got["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("HTTP %d %s", status, body)
	}
}

func TestAppHomeOpenedPublishesOnceForARetriedEvent(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.mustCommand("UADMIN", "CADMIN", "/outcome", `add ops "Stores <open> & running" it=<@UREQ|r>`)
	h.mustCommand("UREQ", "CSTORE", "/tag", "INC1 pos")
	h.mustCommand("UREQ", "CSTORE", "/escalate", "INC1 tills frozen <!here>")
	h.wait()

	body := eventBody("T1", "Ev0HOME1", map[string]any{"type": "app_home_opened", "user": "UREQ", "channel": "D1", "tab": "home"})
	for i := range 3 {
		req := signedRequest(t, h.srv.URL+"/slack/events", testSecret, "application/json", body, timeNow())
		if i > 0 {
			req.Header.Set("X-Slack-Retry-Num", "1")
			req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		if status, _ := h.do(req); status != http.StatusOK {
			t.Fatalf("delivery %d: HTTP %d", i+1, status)
		}
	}
	h.wait()
	pubs := h.slack.Calls("views.publish")
	if len(pubs) != 1 {
		t.Fatalf("views.publish called %d times, want once", len(pubs))
	}
	if pubs[0].JSON["user_id"] != "UREQ" || pubs[0].JSON["_auth"] != "Bearer xoxb-test" {
		t.Fatalf("publish: %v", pubs[0].JSON)
	}
	view, _ := json.Marshal(pubs[0].JSON["view"])
	var texts []string
	collectStrings(view, &texts)
	all := strings.Join(texts, "\n")
	for _, want := range []string{"E-1", "INC1", "tills frozen @here", "Stores &lt;open&gt; &amp; running", "IT owner"} {
		if !strings.Contains(all, want) {
			t.Errorf("home tab lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "<!here>") || strings.Contains(all, "Point of sale") {
		t.Errorf("home tab shows a live mention or an outcome UREQ does not own:\n%s", all)
	}
}

func TestUninstallDeletesTheWorkspaceToken(t *testing.T) {
	h := newHarness(t, withOAuth)
	h.install(t, "T7")
	ctx := context.Background()
	if _, err := h.st.SlackInstall(ctx, "T7"); err != nil {
		t.Fatalf("after install: %v", err)
	}
	for _, ev := range []struct{ id, typ string }{{"Ev1", "app_uninstalled"}, {"Ev2", "tokens_revoked"}} {
		inner := map[string]any{"type": ev.typ}
		if ev.typ == "tokens_revoked" {
			inner["tokens"] = map[string]any{"bot": []string{"UBOT"}}
		}
		if status, _ := h.post("/slack/events", "application/json", eventBody("T7", ev.id, inner)); status != 200 {
			t.Fatalf("%s: HTTP %d", ev.typ, status)
		}
		h.wait()
		if _, err := h.st.SlackInstall(ctx, "T7"); err == nil {
			t.Fatalf("%s: token still stored", ev.typ)
		}
		if _, err := h.a.tokens.token(ctx, "T7"); !errors.Is(err, ErrNotInstalled) {
			t.Fatalf("%s: token still resolves (%v)", ev.typ, err)
		}
		h.install(t, "T7")
	}
}

// TestLateUninstallKeepsANewerInstall: an app_uninstalled delivered late
// (Slack retries for an hour) after the workspace installed the app again
// does not delete the new install's token.
func TestLateUninstallKeepsANewerInstall(t *testing.T) {
	h := newHarness(t, withOAuth)
	h.install(t, "T8")
	js, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": "T8", "api_app_id": "A1", "type": "event_callback",
		"event_id": "EvLate", "event_time": time.Now().Add(-10 * time.Minute).Unix(), "event": map[string]any{"type": "app_uninstalled"},
	})
	if status, _ := h.post("/slack/events", "application/json", string(js)); status != http.StatusOK {
		t.Fatalf("HTTP %d", status)
	}
	h.wait()
	if _, err := h.st.SlackInstall(context.Background(), "T8"); err != nil {
		t.Fatalf("a late uninstall deleted the newer install: %v", err)
	}
}

func TestOrgWideUninstallIsReadFromAuthorizations(t *testing.T) {
	h := newHarness(t, withOAuth)
	ctx := context.Background()
	if err := h.a.tokens.save(ctx, store.SlackInstall{Workspace: "E1", TeamName: "Org", InstalledAt: time.Now()}, "xoxb-E1-org"); err != nil {
		t.Fatal(err)
	}
	// As Slack sends it: is_enterprise_install only inside authorizations[].
	js, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": "T7", "enterprise_id": "E1", "api_app_id": "A1", "type": "event_callback",
		"event_id": "EvOrg1", "event_time": time.Now().Unix(), "event": map[string]any{"type": "app_uninstalled"},
		"authorizations": []any{map[string]any{"enterprise_id": "E1", "team_id": nil, "user_id": "UBOT", "is_bot": true, "is_enterprise_install": true}},
	})
	if status, _ := h.post("/slack/events", "application/json", string(js)); status != http.StatusOK {
		t.Fatalf("HTTP %d", status)
	}
	h.wait()
	if _, err := h.st.SlackInstall(ctx, "E1"); err == nil {
		t.Fatal("the org-wide install's token is still stored")
	}
}
