package slack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// interaction posts a signed interaction payload and returns the status
// and body of the answer.
func (h *harness) interaction(payload map[string]any) (int, string) {
	h.t.Helper()
	return h.post("/slack/interactions", "application/x-www-form-urlencoded", payloadForm(payload))
}

// payloadForm is an interaction's form body: one field, payload, of JSON.
func payloadForm(payload map[string]any) string {
	js, _ := json.Marshal(payload)
	return url.Values{"payload": {string(js)}}.Encode()
}

// lastView is the view of the latest views.open call, and its trigger.
func (h *harness) lastView() (map[string]any, string) {
	h.t.Helper()
	var calls []apiCall
	waitFor(h.t, "views.open", func() bool { calls = h.slack.Calls("views.open"); return len(calls) > 0 })
	c := calls[len(calls)-1]
	view, _ := c.JSON["view"].(map[string]any)
	trigger, _ := c.JSON["trigger_id"].(string)
	return view, trigger
}

// inputs maps a view's input blocks by block id.
func inputs(view map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	blocks, _ := view["blocks"].([]any)
	for _, b := range blocks {
		m, _ := b.(map[string]any)
		if m["type"] == "input" {
			id, _ := m["block_id"].(string)
			out[id] = m
		}
	}
	return out
}

// submission is a view_submission payload for view with the given values
// (block id → a plain value, or an option/conversation for selects).
func submission(team, user string, view map[string]any, values map[string]string) map[string]any {
	state := map[string]any{}
	for block, v := range values {
		act := map[string]any{"type": "plain_text_input", "value": v}
		switch block {
		case "outcome":
			act = map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}
		case "channel":
			act = map[string]any{"type": "conversations_select", "selected_conversation": v}
		}
		state[block] = map[string]any{block: act}
	}
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": team}, "user": map[string]any{"id": user, "name": "u"},
		"view": map[string]any{"id": "V1", "type": "modal", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
			"blocks": view["blocks"], "state": map[string]any{"values": state}},
	}
}

// TestEscalateAloneOpensAModal: /escalate with no arguments answers Slack
// with an empty 200 and opens the form with the command's trigger: the
// outcome select, optional ticket, a reason of up to 3,000 characters and
// the channel to announce in, starting on the current one.
func TestEscalateAloneOpensAModal(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	status, body := h.post("/slack/commands", "application/x-www-form-urlencoded", h.commandForm("T1", "UBIZ", "CSTORE", "/escalate", ""))
	if status != http.StatusOK || body != "" {
		t.Fatalf("want an empty 200, got %d %q", status, body)
	}
	view, trigger := h.lastView()
	if trigger != "13345224609.738474920.8088930838d88f008e0" || view["callback_id"] != modalCallbackID || view["private_metadata"] == "" {
		t.Fatalf("views.open: trigger %q view %v", trigger, view)
	}
	in := inputs(view)
	outcome := in["outcome"]["element"].(map[string]any)
	if outcome["type"] != "static_select" || !strings.Contains(fmt.Sprint(outcome["options"]), "Point of sale (pos)") {
		t.Errorf("outcome select: %v", outcome)
	}
	reason := in["reason"]["element"].(map[string]any)
	if reason["multiline"] != true || reason["max_length"] != float64(3000) || in["reason"]["optional"] == true {
		t.Errorf("reason input: %v", in["reason"])
	}
	if in["ticket"]["optional"] != true {
		t.Errorf("the ticket is optional: %v", in["ticket"])
	}
	ch := in["channel"]["element"].(map[string]any)
	if ch["type"] != "conversations_select" || ch["initial_conversation"] != "CSTORE" {
		t.Errorf("channel picker: %v", ch)
	}
}

// TestModalSubmissionRaisesAndCloses: a good submission closes the modal
// (empty 200), raises E-1 announced in the picked channel, posts the card
// to IT and tells the raiser.
func TestModalSubmissionRaisesAndCloses(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.post("/slack/commands", "application/x-www-form-urlencoded", h.commandForm("T1", "UBIZ", "CSTORE", "/escalate", ""))
	view, _ := h.lastView()
	status, body := h.interaction(submission("T1", "UBIZ", view, map[string]string{
		"outcome": "pos", "ticket": "INC0012345", "reason": "tills <!channel> down in Leeds", "channel": "CLEEDS"}))
	if status != http.StatusOK || body != "" {
		t.Fatalf("a good submission closes the modal: %d %q", status, body)
	}
	h.wait()
	e, err := h.st.GetEscalation(context.Background(), "T1", 1)
	if err != nil || e.RaisedIn != "CLEEDS" || e.Ref != "INC0012345" {
		t.Fatalf("escalation: %+v %v", e, err)
	}
	var card, announce bool
	for _, c := range h.slack.Calls("chat.postMessage") {
		switch c.Form.Get("channel") {
		case "CIT":
			card = true
		case "CLEEDS":
			announce = true
			if strings.Contains(c.Form.Get("text"), "<!channel>") || strings.Contains(c.Form.Get("blocks"), "<!channel>") {
				t.Errorf("the reason pinged the channel: %s", c.Form.Get("text"))
			}
		}
	}
	if !card || !announce {
		t.Errorf("card posted %v, announcement posted %v", card, announce)
	}
	eph := h.slack.Calls("chat.postEphemeral")
	if len(eph) == 0 || eph[len(eph)-1].Form.Get("user") != "UBIZ" || !strings.Contains(eph[len(eph)-1].Form.Get("text"), "E-1") {
		t.Errorf("the raiser was not told: %v", eph)
	}
}

// TestModalSubmissionShowsErrorsOnFields: a wrong submission keeps the
// modal open with each message on its field, and changes nothing.
func TestModalSubmissionShowsErrorsOnFields(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.post("/slack/commands", "application/x-www-form-urlencoded", h.commandForm("T1", "UBIZ", "CSTORE", "/escalate", ""))
	view, _ := h.lastView()
	status, body := h.interaction(submission("T1", "UBIZ", view, map[string]string{"outcome": "pos", "ticket": "TILLS", "reason": "  "}))
	var got struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.Action != "errors" {
		t.Fatalf("want response_action errors, got %d %s", status, body)
	}
	if !strings.Contains(got.Errors["ticket"], "TILLS doesn't look like a ticket") || got.Errors["reason"] != "Say what is blocked." {
		t.Errorf("errors: %v", got.Errors)
	}
	h.wait()
	if _, err := h.st.GetEscalation(context.Background(), "T1", 1); err == nil {
		t.Fatal("a refused submission raised an escalation")
	}
}

// TestModalStateIsNotTrusted: a submission of someone else's form, from
// another workspace, or with changed private_metadata is refused on the
// form and writes nothing.
func TestModalStateIsNotTrusted(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.post("/slack/commands", "application/x-www-form-urlencoded", h.commandForm("T1", "UBIZ", "CSTORE", "/escalate", ""))
	view, _ := h.lastView()
	meta := view["private_metadata"].(string)
	good := map[string]string{"outcome": "pos", "reason": "tills down"}
	tampered := map[string]any{}
	for k, v := range view {
		tampered[k] = v
	}
	body, sig, _ := strings.Cut(meta, ".")
	raw, _ := decodeState(body)
	forged := strings.Replace(raw, `"c":"CSTORE"`, `"c":"CEXEC"`, 1)
	tampered["private_metadata"] = encodeState(forged) + "." + sig
	for name, p := range map[string]map[string]any{
		"another user":      submission("T1", "UEVIL", view, good),
		"another workspace": submission("T2", "UBIZ", view, good),
		"changed channel":   submission("T1", "UBIZ", tampered, good),
	} {
		status, answer := h.interaction(p)
		if status != http.StatusOK || !strings.Contains(answer, "not yours, so nothing was done") {
			t.Errorf("%s: %d %s", name, status, answer)
		}
	}
	h.wait()
	if _, err := h.st.GetEscalation(context.Background(), "T1", 1); err == nil {
		t.Fatal("an untrusted submission raised an escalation")
	}
}

// TestEscalateThisMessage: the message shortcut opens the form with the
// message quoted as the reason (mentions made plain), keeps its permalink
// and author, and the card links back to it.
func TestEscalateThisMessage(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	status, _ := h.interaction(map[string]any{
		"type": "message_action", "callback_id": shortcutMessage, "trigger_id": "9.9.9",
		"team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UBIZ", "name": "biz"},
		"channel": map[string]any{"id": "CSTORE", "name": "store-ops"},
		"message": map[string]any{"type": "message", "user": "UAUTHOR", "ts": "1764000000.000100",
			"text": "<@U42|sam> tills \x07down <!channel> in Leeds \u202e"},
		"response_url": h.slack.GetAPIURL() + "hooks/actions/2",
	})
	if status != http.StatusOK {
		t.Fatal(status)
	}
	view, trigger := h.lastView()
	if trigger != "9.9.9" {
		t.Fatalf("trigger %q", trigger)
	}
	reason := inputs(view)["reason"]["element"].(map[string]any)["initial_value"].(string)
	if reason != "@sam tills down @channel in Leeds" {
		t.Errorf("quoted reason %q", reason)
	}
	if len(h.slack.Calls("chat.getPermalink")) != 1 {
		t.Error("no chat.getPermalink")
	}
	h.interaction(submission("T1", "UBIZ", view, map[string]string{"outcome": "pos", "reason": reason}))
	h.wait()
	e, err := h.st.GetEscalation(context.Background(), "T1", 1)
	if err != nil || e.MessageLink != "https://acme.slack.com/archives/CSTORE/p1764000000000100" || e.MessageBy != "UAUTHOR" || e.RaisedIn != "CSTORE" {
		t.Fatalf("escalation: %+v %v", e, err)
	}
	for _, c := range h.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "CIT" && !strings.Contains(c.Form.Get("blocks"), "p1764000000000100|the message it was raised on") {
			t.Errorf("the card does not link back: %s", c.Form.Get("blocks"))
		}
	}
}

// TestGlobalShortcutNeedsAChannel: the global shortcut has no channel, so
// the form asks where to announce (required).
func TestGlobalShortcutNeedsAChannel(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.interaction(map[string]any{"type": "shortcut", "callback_id": shortcutEscalate, "trigger_id": "8.8.8",
		"team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UBIZ", "name": "biz"}})
	view, _ := h.lastView()
	ch := inputs(view)["channel"]
	if ch["optional"] == true || ch["element"].(map[string]any)["initial_conversation"] != nil {
		t.Errorf("channel field: %v", ch)
	}
}

// TestExpiredTriggerIsExplained: when views.open refuses the trigger, the
// user is told to run it again; nothing else happens.
func TestExpiredTriggerIsExplained(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.slack.mu.Lock()
	h.slack.trigger = "expired_trigger_id"
	h.slack.mu.Unlock()
	h.post("/slack/commands", "application/x-www-form-urlencoded", h.commandForm("T1", "UBIZ", "CSTORE", "/escalate", ""))
	h.wait()
	eph := h.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || !strings.Contains(eph[0].Form.Get("text"), "That took too long") {
		t.Fatalf("ephemeral: %v", eph)
	}
}

// TestOutcomeTypeAhead: with more than 100 outcomes the select loads its
// options from block_suggestion, matching what the user types.
func TestOutcomeTypeAhead(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	for i := range 101 {
		h.mustCommand("UADMIN", "CADMIN", "/outcome", fmt.Sprintf(`add store%03d "Store %03d tills"`, i, i))
	}
	h.post("/slack/commands", "application/x-www-form-urlencoded", h.commandForm("T1", "UBIZ", "CSTORE", "/escalate", ""))
	view, _ := h.lastView()
	if el := inputs(view)["outcome"]["element"].(map[string]any); el["type"] != "external_select" {
		t.Fatalf("outcome element: %v", el)
	}
	status, body := h.interaction(map[string]any{"type": "block_suggestion", "action_id": "outcome", "block_id": "outcome", "value": "store 09",
		"team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UBIZ"},
		"view": map[string]any{"id": "V1", "callback_id": modalCallbackID, "private_metadata": view["private_metadata"]}})
	var got struct {
		Options []struct {
			Value string `json:"value"`
		} `json:"options"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || len(got.Options) != 10 || got.Options[0].Value != "store090" {
		t.Fatalf("suggestions: %d %s", status, body)
	}
	// Another user's state gets no options.
	_, body = h.interaction(map[string]any{"type": "block_suggestion", "action_id": "outcome", "value": "",
		"team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UEVIL"},
		"view": map[string]any{"id": "V1", "callback_id": modalCallbackID, "private_metadata": view["private_metadata"]}})
	if strings.Contains(body, "store") {
		t.Errorf("suggestions for a foreign state: %s", body)
	}
}

// TestRaiseFromAChannelTheBotIsNotIn: the escalation is raised once, the
// card is posted, and the raiser gets the announcement in their DM with
// the bot (conversations.open) instead of an error.
func TestRaiseFromAChannelTheBotIsNotIn(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.slack.mu.Lock()
	h.slack.notIn["CPRIV"] = true
	h.slack.mu.Unlock()
	rb := h.mustCommand("UBIZ", "CPRIV", "/escalate", "INC0012345 outcome=pos tills down")
	if !strings.Contains(rb.Text, "E-1") {
		t.Fatalf("reply %q", rb.Text)
	}
	h.wait()
	if c := h.slack.Calls("conversations.open"); len(c) != 1 || c[0].Form.Get("users") != "UBIZ" {
		t.Fatalf("conversations.open: %v", c)
	}
	var dm bool
	for _, c := range h.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "DUBIZ" && strings.Contains(c.Form.Get("text"), "escalated") {
			dm = true
		}
	}
	if !dm {
		t.Error("the announcement did not reach the raiser's DM")
	}
	for _, c := range h.slack.Calls("response_url") {
		if strings.Contains(fmt.Sprint(c.JSON), "could not post") {
			t.Errorf("the raiser was told of a failure: %v", c.JSON)
		}
	}
	if _, err := h.st.GetEscalation(context.Background(), "T1", 2); err == nil {
		t.Error("raised twice")
	}
}

// TestForgedModalSubmissionIs401: a view_submission with a bad signature
// is refused before anything reads it.
func TestForgedModalSubmissionIs401(t *testing.T) {
	h := newHarness(t, nil)
	js, _ := json.Marshal(map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U1"}})
	r := signedRequest(t, h.srv.URL+"/slack/interactions", "wrong-secret", "application/x-www-form-urlencoded", url.Values{"payload": {string(js)}}.Encode(), time.Now())
	if status, _ := h.do(r); status != http.StatusUnauthorized {
		t.Fatalf("forged submission: HTTP %d", status)
	}
}

func decodeState(b64 string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(b64)
	return string(b), err
}

func encodeState(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestModalInputsCannotOverrideSealedValues: a submission whose state
// carries a block the modal never showed (the message's link) keeps the
// sealed value.
func TestModalInputsCannotOverrideSealedValues(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.interaction(map[string]any{
		"type": "message_action", "callback_id": shortcutMessage, "trigger_id": "9.9.9",
		"team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UBIZ", "name": "biz"},
		"channel": map[string]any{"id": "CSTORE"}, "message": map[string]any{"type": "message", "user": "UAUTHOR", "ts": "1764000000.000100", "text": "tills down"},
	})
	view, _ := h.lastView()
	h.interaction(submission("T1", "UBIZ", view, map[string]string{"outcome": "pos", "reason": "tills down",
		"message_link": "https://evil.example/phish", "message_by": "UEVIL"}))
	h.wait()
	e, err := h.st.GetEscalation(context.Background(), "T1", 1)
	if err != nil || e.MessageLink != "https://acme.slack.com/archives/CSTORE/p1764000000000100" || e.MessageBy != "UAUTHOR" {
		t.Fatalf("escalation: link %q by %q, %v", e.MessageLink, e.MessageBy, err)
	}
}
