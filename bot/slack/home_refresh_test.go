package slack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// openHome sends an app_home_opened event for user in T1.
func (h *harness) openHome(user string) {
	h.t.Helper()
	body := eventBody("T1", "EvHome"+user+fmt.Sprint(time.Now().UnixNano()), map[string]any{"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"})
	if status, _ := h.post("/slack/events", "application/json", body); status != http.StatusOK {
		h.t.Fatalf("app_home_opened: HTTP %d", status)
	}
}

// publishesFor are the views.publish calls for user so far.
func (h *harness) publishesFor(user string) []apiCall {
	var out []apiCall
	for _, c := range h.slack.Calls("views.publish") {
		if c.JSON["user_id"] == user {
			out = append(out, c)
		}
	}
	return out
}

// viewText is all the strings of a published view.
func viewText(c apiCall) string {
	js, _ := json.Marshal(c.JSON["view"])
	var texts []string
	collectStrings(js, &texts)
	return strings.Join(texts, "\n")
}

// TestHomeTabQueueButtons: the IT owner's Home tab shows their queue with
// each entry's buttons; pressing Acknowledge there (a click on a view, with
// no channel) acknowledges, answers the clicker by direct message, updates
// the card in the IT channel and republishes the tab.
func TestHomeTabQueueButtons(t *testing.T) {
	h := newHarness(t, nil)
	h.a.homes.delay = 200 * time.Millisecond
	h.setupOutcome("CIT")
	h.mustCommand("UREQ", "CSTORE", "/tag", "INC1 pos")
	h.mustCommand("UREQ", "CSTORE", "/escalate", "INC1 tills frozen")
	h.wait()
	h.openHome("UIT")
	h.wait()
	pubs := h.publishesFor("UIT")
	if len(pubs) != 1 {
		t.Fatalf("%d publishes on opening", len(pubs))
	}
	home := viewText(pubs[0])
	for _, want := range []string{"Your queue (1)", "E-1", "Acknowledge", "Resolve", "Snooze 1h", "Until morning", "Reassign", "queue_ack", "snooze#2"} {
		if !strings.Contains(home, want) {
			t.Errorf("home tab lacks %q:\n%s", want, home)
		}
	}
	updates := len(h.slack.Calls("chat.update"))
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1", "domain": "acme"},
		"user":      map[string]any{"id": "UIT", "name": "it", "team_id": "T1"},
		"container": map[string]any{"type": "view", "view_id": "V1"},
		"view":      map[string]any{"id": "V1", "type": "home"},
		"actions":   []any{map[string]any{"type": "button", "action_id": "queue_ack", "block_id": "b1", "value": "E-1", "action_ts": "1764000001.000100"}},
	}
	if status, _ := h.interaction(payload); status != http.StatusOK {
		t.Fatalf("click: HTTP %d", status)
	}
	h.wait()
	e, err := h.st.GetEscalation(t.Context(), "T1", 1)
	if err != nil || e.State != "acknowledged" || e.AckBy != "UIT" {
		t.Fatalf("E-1 after the click: %+v, %v", e, err)
	}
	var dm bool
	for _, c := range h.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "DUIT" && strings.Contains(c.Form.Get("text"), "You acknowledged") {
			dm = true
		}
	}
	if !dm {
		t.Error("the clicker was not answered by direct message")
	}
	if len(h.slack.Calls("chat.update")) == updates {
		t.Error("the card in the IT channel was not updated")
	}
	waitFor(t, "home republished", func() bool { return len(h.publishesFor("UIT")) >= 2 })
	if last := h.publishesFor("UIT"); !strings.Contains(viewText(last[len(last)-1]), "acknowledged by") {
		t.Errorf("republished home does not show the acknowledgement:\n%s", viewText(last[len(last)-1]))
	}
}

// TestHomeRepublishIsBounded: 50 changes to one person's escalations in
// about a second cost that person at most two views.publish; someone who
// never opened the tab gets none.
func TestHomeRepublishIsBounded(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	for i := range 25 {
		h.mustCommand("UADMIN", "CADMIN", "/tag", fmt.Sprintf("INC%d pos", i))
	}
	h.openHome("UIT")
	h.wait()
	before := len(h.publishesFor("UIT"))
	start := time.Now()
	for i := range 25 { // 25 raises and 25 acknowledgements: 50 changes
		r := h.core.Handle(t.Context(), commands.Request{Workspace: "T1", Channel: "CSTORE", User: "UREQ", Command: "escalate", Text: fmt.Sprintf("INC%d down", i)})
		if !strings.Contains(r.Text, "raised") {
			t.Fatalf("raise %d: %s", i, r.Text)
		}
		h.core.Handle(t.Context(), commands.Request{Workspace: "T1", Channel: "CIT", User: "UIT", Command: "ack", Text: fmt.Sprintf("E-%d", i+1)})
		time.Sleep(40 * time.Millisecond) // spread over about a second
	}
	took := time.Since(start)
	time.Sleep(homeDelay + time.Second)
	h.wait()
	got := len(h.publishesFor("UIT")) - before
	t.Logf("50 changes in %v: %d views.publish for UIT", took, got)
	if got < 1 || got > 2 {
		t.Fatalf("%d views.publish for UIT after 50 changes, want 1–2", got)
	}
	if n := len(h.publishesFor("UREQ")); n != 0 {
		t.Fatalf("%d publishes for UREQ, who never opened the tab", n)
	}
}

// TestSectionButtonsRender: an entry's buttons are an actions block under
// it, action ids unique within the block and read back as the action; a
// page of 25 entries stays within Slack's limits.
func TestSectionButtonsRender(t *testing.T) {
	bs := []commands.Button{{Label: "Acknowledge", Action: "queue_ack", Value: "E-1"},
		{Label: "Snooze 1h", Action: "snooze", Value: "E-1 1h"}, {Label: "Snooze 4h", Action: "snooze", Value: "E-1 4h"},
		{Label: "Until morning", Action: "snooze", Value: "E-1 morning"}}
	resp := commands.Response{Title: "Escalations (assigned to you) · 1–25 of 30", Context: "More: /escalate list assigned page=2",
		Buttons: []commands.Button{{Label: "More", Action: "escalation_list", Value: "assigned page=2"}}}
	for i := range 25 {
		resp.Sections = append(resp.Sections, commands.Section{Text: fmt.Sprintf("*E-%d* down", i+1), Buttons: bs})
	}
	msgs := Render(resp)
	var actions int
	for _, m := range msgs {
		if len(m.Blocks) > maxBlocks {
			t.Fatalf("message of %d blocks", len(m.Blocks))
		}
		for _, b := range m.Blocks {
			ab, ok := b.(*slack.ActionBlock)
			if !ok {
				continue
			}
			actions++
			ids := map[string]bool{}
			for _, el := range ab.Elements.ElementSet {
				id := el.(*slack.ButtonBlockElement).ActionID
				if ids[id] {
					t.Fatalf("action id %q repeats in a block", id)
				}
				ids[id] = true
			}
		}
	}
	if actions != 26 {
		t.Fatalf("%d actions blocks, want 25 entries and More", actions)
	}
	for id, want := range map[string]string{"snooze#3": "snooze", "queue_ack": "queue_ack", "a#b": "a#b"} {
		if got := actionName(id); got != want {
			t.Errorf("actionName(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestListEntryButtons: the buttons of an /escalate list entry, pressed
// in the channel, act like the card's: Acknowledge answers the clicker
// only and updates the card in the IT channel; the second Snooze button
// (its action id marked as a repeat) snoozes for 4h.
func TestListEntryButtons(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.mustCommand("UREQ", "CSTORE", "/tag", "INC1 pos")
	h.mustCommand("UREQ", "CSTORE", "/escalate", "INC1 tills frozen")
	h.wait()
	e, err := h.st.GetEscalation(t.Context(), "T1", 1)
	if err != nil || e.CardID == "" {
		t.Fatalf("E-1 card: %+v, %v", e, err)
	}
	_, js := h.post("/slack/commands", "application/x-www-form-urlencoded", h.commandForm("T1", "UIT", "CIT", "/escalate", "list"))
	for _, want := range []string{`"action_id":"queue_ack","value":"E-1"`, `"action_id":"snooze#2","value":"E-1 4h"`} {
		if !strings.Contains(js, want) {
			t.Fatalf("list reply lacks %s:\n%s", want, js)
		}
	}
	updates := len(h.slack.Calls("chat.update"))
	if status := h.click("T1", "UIT", "CIT", "1764000099.000001", "snooze#2", "E-1 4h"); status != http.StatusOK {
		t.Fatalf("snooze click: HTTP %d", status)
	}
	h.wait()
	if e, _ = h.st.GetEscalation(t.Context(), "T1", 1); e.SnoozedUntil.IsZero() {
		t.Fatal("E-1 not snoozed by the list's Snooze 4h")
	}
	if status := h.click("T1", "UIT", "CIT", "1764000099.000001", "queue_ack", "E-1"); status != http.StatusOK {
		t.Fatalf("ack click: HTTP %d", status)
	}
	h.wait()
	if e, _ = h.st.GetEscalation(t.Context(), "T1", 1); e.State != "acknowledged" {
		t.Fatalf("E-1 %s after Acknowledge on the list", e.State)
	}
	var told bool
	for _, c := range h.slack.Calls("chat.postEphemeral") {
		if c.Form.Get("user") == "UIT" && c.Form.Get("channel") == "CIT" && strings.Contains(c.Form.Get("text"), "You acknowledged") {
			told = true
		}
	}
	if !told {
		t.Error("the clicker was not answered in an ephemeral message")
	}
	var card bool
	for _, c := range h.slack.Calls("chat.update")[updates:] {
		if c.Form.Get("ts") == e.CardID && c.Form.Get("channel") == e.CardChannel {
			card = true
		}
		if c.Form.Get("ts") == "1764000099.000001" {
			t.Error("the list message was replaced")
		}
	}
	if !card {
		t.Error("the card in the IT channel was not updated")
	}
}
