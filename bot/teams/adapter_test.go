package teams

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

func TestMessageGetsReply(t *testing.T) {
	e := newEnv(t)
	calls := e.do(e.command(dmConv, "personal", admin, "/outcome whoami"))
	if len(calls) != 1 {
		t.Fatalf("got %d connector calls, want 1 reply: %+v", len(calls), calls)
	}
	c := calls[0]
	if c.Method != http.MethodPost || c.Conversation != dmConv || c.ActivityID == "" {
		t.Fatalf("reply went to %s %s/%s, want a reply in %s", c.Method, c.Conversation, c.ActivityID, dmConv)
	}
	if !strings.Contains(c.text(), "aad-admin") || !strings.Contains(c.text(), "admin") {
		t.Errorf("whoami reply does not name the caller's aad id and role: %s", c.text())
	}
	if got := c.Body["from"].(map[string]any)["id"]; got != botID {
		t.Errorf("reply from %v, want the bot %s", got, botID)
	}
	// The conversation reference is stored for proactive posts.
	ref, err := e.store.GetTeamsConversation(context.Background(), testTenant, dmConv)
	if err != nil || ref.ServiceURL != e.conn.serviceURL() || ref.BotID != botID || ref.TenantID != testTenant {
		t.Fatalf("stored reference = %+v, %v", ref, err)
	}
}

func TestHelpListsCommands(t *testing.T) {
	e := newEnv(t)
	for _, line := range []string{"help", "", "/help"} {
		calls := e.do(e.command(opsConv, "channel", maria, line))
		if len(calls) != 1 {
			t.Fatalf("%q: %d calls, want 1", line, len(calls))
		}
		for _, d := range e.core.Commands() {
			if !strings.Contains(calls[0].text(), "/"+d.Name) {
				t.Errorf("%q: help does not list /%s", line, d.Name)
			}
		}
	}
}

func TestEscalationFlow(t *testing.T) {
	e := newEnv(t)
	e.setup()
	ctx := context.Background()

	e.do(e.command(opsConv, "channel", maria, "tag INC0012345 pos"))

	// escalate → the caller is answered, the ops channel gets the
	// announcement and the IT channel gets the card mentioning the IT owner.
	calls := e.do(e.command(opsConv, "channel", maria, "escalate INC0012345 tills down <at>all</at> [x](https://evil.example)"))
	var card, announce *call
	for i, c := range calls {
		switch {
		case c.Conversation == itConv && c.ActivityID == "":
			card = &calls[i]
		case c.Conversation == opsConv && c.ActivityID == "":
			announce = &calls[i]
		}
	}
	if card == nil || announce == nil {
		t.Fatalf("want a card posted to %s and an announcement in %s; got %+v", itConv, opsConv, calls)
	}
	cardJSON := card.text()
	for _, want := range []string{`"contentType":"application/vnd.microsoft.card.adaptive"`, `"version":"1.5"`,
		`"Action.Submit"`, `"action":"ack"`, `"value":"E-1"`, `<at>Ivan IT</at>`, `"id":"29:it"`} {
		if !strings.Contains(cardJSON, want) {
			t.Errorf("card lacks %s: %s", want, cardJSON)
		}
	}
	// User text is shown as text: no <at> tag, the link's brackets escaped.
	if strings.Contains(cardJSON, "<at>all</at>") || !strings.Contains(cardJSON, `tills down ＜at>all＜/at> \\[x\\](https://evil.example)`) {
		t.Errorf("user text formed a mention or link on the card: %s", cardJSON)
	}
	esc, err := e.store.GetEscalation(ctx, testTenant, 1)
	if err != nil || esc.CardChannel != itConv || esc.CardID == "" {
		t.Fatalf("card not tracked: %+v, %v", esc, err)
	}

	// A member pressing Acknowledge is refused and nothing changes.
	calls = e.do(e.submit(itConv, esc.CardID, maria, "ack", "E-1"))
	if len(calls) != 1 || calls[0].Method != http.MethodPost || !strings.Contains(calls[0].text(), "it-lead") {
		t.Fatalf("member's ack: want one reply naming the it-lead role, got %+v", calls)
	}
	if esc, _ := e.store.GetEscalation(ctx, testTenant, 1); esc.State != record.StateOpen {
		t.Fatalf("member's ack changed the escalation to %s", esc.State)
	}

	// The IT lead's press updates the card in place and tells the requester.
	calls = e.do(e.submit(itConv, esc.CardID, itLead, "ack", "E-1"))
	var updated, notice *call
	for i, c := range calls {
		switch {
		case c.Method == http.MethodPut && c.ActivityID == esc.CardID:
			updated = &calls[i]
		case c.Method == http.MethodPost && strings.HasPrefix(c.Conversation, opsConv):
			notice = &calls[i]
		}
	}
	if updated == nil {
		t.Fatalf("card not updated; calls %+v", calls)
	}
	if !strings.Contains(updated.text(), "Acknowledged by <at>Ivan IT</at>") || strings.Contains(updated.text(), `"action":"ack"`) {
		t.Errorf("updated card: %s", updated.text())
	}
	if notice == nil || !strings.Contains(notice.text(), "<at>Maria Lopez</at>") || !strings.Contains(notice.text(), "acknowledged") {
		t.Fatalf("requester not told; calls %+v", calls)
	}
	if want := opsConv + ";messageid=" + esc.AnnounceID; notice.Conversation != want {
		t.Errorf("notice went to %s, want the announcement's thread %s", notice.Conversation, want)
	}
	if esc, _ := e.store.GetEscalation(ctx, testTenant, 1); esc.State != record.StateAcknowledged || esc.AckBy != itLead.aad {
		t.Fatalf("escalation after ack = %+v", esc)
	}
}

func TestUnhandledActivityTypesGet200(t *testing.T) {
	e := newEnv(t)
	for _, typ := range []string{"conversationUpdate", "installationUpdate", "messageReaction", "typing", "invoke", "somethingNew"} {
		act := e.activity(typ, itConv, "channel", admin, "")
		act["value"] = "not an object"
		if resp := e.post(act, &tokenSpec{}); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d, want 200", typ, resp.StatusCode)
		}
	}
	if calls := e.conn.take(); len(calls) != 0 {
		t.Errorf("unhandled activities caused connector calls: %+v", calls)
	}
	if _, err := e.store.GetTeamsConversation(context.Background(), testTenant, itConv); err != nil {
		t.Errorf("conversationUpdate did not store the reference: %v", err)
	}
}

func TestRejectedRequestsChangeNothing(t *testing.T) {
	absent, wrongURL := "<absent>", "https://evil.example/"
	cases := []struct {
		name   string
		spec   *tokenSpec
		mutate func(map[string]any)
		status int
	}{
		{"missing authorization", nil, nil, http.StatusUnauthorized},
		{"bad signature", &tokenSpec{kid: "kid-1", signWith: "kid-2"}, nil, http.StatusForbidden},
		{"wrong audience", &tokenSpec{aud: "someone-else"}, nil, http.StatusForbidden},
		{"wrong issuer", &tokenSpec{iss: "https://sts.windows.net/evil/"}, nil, http.StatusForbidden},
		{"expired", &tokenSpec{exp: time.Now().Add(-6 * time.Minute), nbf: time.Now().Add(-time.Hour)}, nil, http.StatusForbidden},
		{"not yet valid", &tokenSpec{nbf: time.Now().Add(10 * time.Minute)}, nil, http.StatusForbidden},
		{"serviceUrl mismatch", &tokenSpec{serviceURL: &wrongURL}, nil, http.StatusForbidden},
		{"missing serviceurl claim", &tokenSpec{serviceURL: &absent}, nil, http.StatusForbidden},
		{"non-string serviceurl claim", &tokenSpec{extra: map[string]any{"serviceurl": 42}}, nil, http.StatusForbidden},
		{"unknown kid", &tokenSpec{kid: "kid-3"}, nil, http.StatusForbidden},
		{"channel not endorsed", &tokenSpec{}, func(a map[string]any) { a["channelId"] = "slack" }, http.StatusForbidden},
		{"other tenant", &tokenSpec{}, func(a map[string]any) {
			a["conversation"].(map[string]any)["tenantId"] = "tenant-2"
		}, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			act := e.command(itConv, "channel", admin, `outcome add pos "Point of sale"`)
			if tc.mutate != nil {
				tc.mutate(act)
			}
			resp := e.post(act, tc.spec)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			assertNothingChanged(t, e)
		})
	}
}

func assertNothingChanged(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	if calls := e.conn.take(); len(calls) != 0 {
		t.Errorf("rejected request caused connector calls: %+v", calls)
	}
	if _, err := e.store.GetTeamsConversation(ctx, testTenant, itConv); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("rejected request stored a conversation reference: %v", err)
	}
	if _, err := e.store.GetOutcome(ctx, testTenant, "pos"); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("rejected request created an outcome: %v", err)
	}
}

func TestUnknownKidIsRefetched(t *testing.T) {
	e := newEnv(t)
	e.adapter.validator.keys.minRefetch = 0
	e.do(e.command(dmConv, "personal", admin, "outcome whoami")) // kid-1 known
	before := e.oidc.fetches.Load()

	act := e.command(dmConv, "personal", admin, "outcome whoami")
	if resp := e.post(act, &tokenSpec{kid: "kid-2"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unpublished kid: status %d, want 403", resp.StatusCode)
	}
	if e.oidc.fetches.Load() != before+1 {
		t.Fatalf("unknown kid caused %d fetches, want 1", e.oidc.fetches.Load()-before)
	}
	e.conn.take()

	e.oidc.publish("kid-1", "kid-2") // key rotation
	if resp := e.post(e.command(dmConv, "personal", admin, "outcome whoami"), &tokenSpec{kid: "kid-2"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("rotated kid: status %d, want 200 after the refetch", resp.StatusCode)
	}
	if calls := e.conn.take(); len(calls) != 1 {
		t.Fatalf("rotated kid: %d replies, want 1", len(calls))
	}
}

func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	e := newEnv(t)
	e.do(e.command(dmConv, "personal", admin, "outcome whoami"))
	before := e.oidc.fetches.Load()
	for range 5 {
		if resp := e.post(e.command(dmConv, "personal", admin, "x"), &tokenSpec{kid: "kid-3"}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	}
	if n := e.oidc.fetches.Load() - before; n > 1 {
		t.Fatalf("5 forged kids caused %d JWKS fetches, want at most 1", n)
	}
}

func TestOversizeAndMalformedBodies(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/messages", strings.NewReader(strings.Repeat("x", DefaultMaxBody+1)))
	req.Header.Set("Authorization", "Bearer a.b.c")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize: status %d", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/api/messages", strings.NewReader("{not json"))
	req.Header.Set("Authorization", "Bearer a.b.c")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed: status %d", resp.StatusCode)
	}
	assertNothingChanged(t, e)
}

// TestTypedAckUpdatesCard: /ack typed in chat updates the tracked card
// through the Poster and tells the requester, like the button.
func TestTypedAckUpdatesCard(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.do(e.command(opsConv, "channel", maria, "tag INC0012345 pos"))
	e.do(e.command(opsConv, "channel", maria, "escalate INC0012345 tills down"))
	esc, err := e.store.GetEscalation(context.Background(), testTenant, 1)
	if err != nil {
		t.Fatal(err)
	}
	calls := e.do(e.command(dmConv, "personal", itLead, "ack E-1 on it"))
	var reply, put, notice bool
	for _, c := range calls {
		switch {
		case c.Conversation == dmConv && c.Method == http.MethodPost:
			reply = strings.Contains(c.text(), "You acknowledged")
		case c.Method == http.MethodPut && c.Conversation == itConv && c.ActivityID == esc.CardID:
			put = strings.Contains(c.text(), "Acknowledged by <at>Ivan IT</at>")
		case strings.HasPrefix(c.Conversation, opsConv):
			notice = strings.Contains(c.text(), "Note: on it")
		}
	}
	if !reply || !put || !notice {
		t.Fatalf("reply %v, card updated %v, requester told %v; calls %+v", reply, put, notice, calls)
	}
}

// TestAdminsByEitherID: OUTCOMEBOT_ADMINS may name a Teams user by aad
// object id or by Bot Framework id; either way they act as the same admin.
func TestAdminsByEitherID(t *testing.T) {
	for _, configured := range []string{admin.aad, admin.id} {
		t.Run(configured, func(t *testing.T) {
			e := newEnvAdmins(t, configured)
			e.do(e.command(itConv, "channel", admin, `outcome add pos "Point of sale"`))
			if _, err := e.store.GetOutcome(context.Background(), testTenant, "pos"); err != nil {
				t.Fatalf("admin configured as %s could not add an outcome: %v", configured, err)
			}
			calls := e.do(e.command(dmConv, "personal", maria, `outcome add inv "Inventory"`))
			if len(calls) != 1 || !strings.Contains(calls[0].text(), "admin role") {
				t.Fatalf("a member was not refused: %+v", calls)
			}
		})
	}
}

// TestTenantMatchIgnoresCase: tenant GUIDs may arrive upper-case; the
// activity is accepted and its state lands under the configured tenant.
func TestTenantMatchIgnoresCase(t *testing.T) {
	e := newEnv(t)
	act := e.command(dmConv, "personal", admin, "outcome whoami")
	upper := strings.ToUpper(testTenant)
	act["conversation"].(map[string]any)["tenantId"] = upper
	act["channelData"].(map[string]any)["tenant"] = map[string]any{"id": upper}
	calls := e.do(act)
	if len(calls) != 1 {
		t.Fatalf("%d connector calls, want the reply", len(calls))
	}
	ref, err := e.store.GetTeamsConversation(context.Background(), testTenant, dmConv)
	if err != nil || ref.TenantID != testTenant {
		t.Fatalf("reference under the configured tenant = %+v, %v", ref, err)
	}
}
