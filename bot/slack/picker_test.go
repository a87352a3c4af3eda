package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/intake"
)

// triageMessage is the shared triage fixture, hostile labels included.
func triageMessage() commands.Response { return commandstest.TriageMessage(hostile) }

func TestRender_Picker(t *testing.T) {
	msgs := Render(triageMessage())
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	golden(t, t.Name(), msgs)
	js, _ := json.Marshal(msgs)
	if strings.Contains(string(js), "<!channel>") || strings.Contains(string(js), "<@U0VICTIM>") {
		t.Errorf("a picker label can notify: %s", js)
	}
}

// TestRender_PickerLimits: a hundred and twenty outcomes are cut to
// Slack's hundred options, long labels and values to their limits.
func TestRender_PickerLimits(t *testing.T) {
	var opts []commands.Choice
	for i := range 120 {
		opts = append(opts, commands.Choice{Label: strings.Repeat("x", 100), Value: strings.Repeat("v", 200) + string(rune('a'+i%26))})
	}
	resp := commands.Response{Sections: []commands.Section{{Text: "one", Picker: &commands.Picker{Action: "triage", Value: strings.Repeat("b", 300), Options: opts}}}}
	sec := Render(resp)[0].Blocks[0].(*slack.SectionBlock)
	sel := sec.Accessory.SelectElement
	if sel == nil || sel.Type != slack.OptTypeStatic || len(sel.Options) != maxSelectOptions || sel.Placeholder.Text != defaultPickerMessage {
		t.Fatalf("select %+v", sel)
	}
	if o := sel.Options[0]; slackLen(o.Text.Text) > maxOptionText || len(o.Value) > maxOptionValue || len(sec.BlockID) > maxBlockID {
		t.Errorf("option %q=%q, block id of %d", o.Text.Text, o.Value, len(sec.BlockID))
	}
}

func TestActionOf(t *testing.T) {
	pick := &slack.BlockAction{Type: slack.ActionType(slack.OptTypeStatic), ActionID: "triage", BlockID: "7 OPS-1",
		SelectedOption: slack.OptionBlockObject{Value: "pos"}}
	if a := actionOf(pick); *a != (commands.Action{Name: "triage", Value: "7 OPS-1", Choice: "pos"}) {
		t.Errorf("pick = %+v", a)
	}
	button := &slack.BlockAction{Type: slack.ActionType("button"), ActionID: "ack", BlockID: "b1", Value: "E-1"}
	if a := actionOf(button); *a != (commands.Action{Name: "ack", Value: "E-1"}) {
		t.Errorf("button = %+v", a)
	}
}

// pick sends a signed block_actions payload for a static_select pick, as
// Slack sends it.
func (h *harness) pick(team, user, channel, ts, actionID, blockID, value, label string) int {
	h.t.Helper()
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": team, "domain": "acme"},
		"user":       map[string]any{"id": user, "name": strings.ToLower(user), "team_id": team},
		"channel":    map[string]any{"id": channel, "name": "it"},
		"container":  map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false},
		"message":    map[string]any{"type": "message", "ts": ts},
		"trigger_id": "1.2.3", "response_url": h.slack.GetAPIURL() + "hooks/actions/2",
		"actions": []any{map[string]any{
			"type": "static_select", "action_id": actionID, "block_id": blockID,
			"selected_option": map[string]any{"text": map[string]any{"type": "plain_text", "text": label, "emoji": true}, "value": value},
			"placeholder":     map[string]any{"type": "plain_text", "text": "Pick its outcome", "emoji": true},
			"action_ts":       "1764000002.000200",
		}},
	}
	js, _ := json.Marshal(payload)
	status, _ := h.post("/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(js)}}.Encode())
	return status
}

// selectsOf lists block_id=action_id:options of every static_select in blocks.
func selectsOf(bs []map[string]any) map[string][]string {
	out := map[string][]string{}
	for _, b := range bs {
		acc, _ := b["accessory"].(map[string]any)
		if acc == nil || acc["type"] != "static_select" {
			continue
		}
		var vals []string
		for _, o := range acc["options"].([]any) {
			vals = append(vals, o.(map[string]any)["value"].(string))
		}
		out[b["block_id"].(string)] = append([]string{acc["action_id"].(string)}, vals...)
	}
	return out
}

// TestTriagePickFlow: the weekly triage is posted with a static_select per
// untagged request; a pick tags the request as /tag does and the message
// is updated in place without that request's menu.
func TestTriagePickFlow(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.mustCommand("UADMIN", "CADMIN", "/outcome", `add infra "Stores online"`)
	ctx := t.Context()
	now := time.Now()
	if _, err := h.bot.Intake.Take(ctx, "T1", []intake.Item{
		{Ref: "OPS-1", Title: "Label printer offline", Requester: "Maria Lopez", Source: "jira"},
		{Ref: "RITM0060002", Title: "New laptop", Source: "servicenow"},
	}, intake.Options{At: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, err := h.bot.Triage.Send(ctx, h.a.Poster(), "T1", "CIT", now); err != nil || n != 2 {
		t.Fatalf("send triage: %d, %v", n, err)
	}
	posts := postsIn(h.slack.Calls("chat.postMessage"), "CIT")
	if len(posts) != 1 {
		t.Fatalf("%d triage posts in CIT", len(posts))
	}
	msg := posts[0]
	sels := selectsOf(blocksOf(t, msg))
	var opsBlock string
	for id, s := range sels {
		if strings.HasSuffix(id, " OPS-1") {
			opsBlock = id
		}
		if strings.Join(s, ",") != "triage,infra,pos" {
			t.Errorf("select %s = %v", id, s)
		}
	}
	if len(sels) != 2 || opsBlock == "" {
		t.Fatalf("selects %v", sels)
	}

	if status := h.pick("T1", "UREQ", "CIT", msg.TS, "triage", opsBlock, "pos", "pos — Point of sale"); status != http.StatusOK {
		t.Fatalf("pick: HTTP %d", status)
	}
	h.wait()
	ups := h.slack.Calls("chat.update")
	if len(ups) != 1 || ups[0].Form.Get("channel") != "CIT" || ups[0].Form.Get("ts") != msg.TS {
		t.Fatalf("chat.update: %+v", ups)
	}
	after := selectsOf(blocksOf(t, ups[0]))
	if _, still := after[opsBlock]; still || len(after) != 1 {
		t.Errorf("selects after the pick: %v", after)
	}
	if upd := textOf(ups[0]); !strings.Contains(upd, "<@UREQ> tagged") || !strings.Contains(upd, "1 of 2 tagged since") {
		t.Errorf("updated message: %s", upd)
	}
	r, err := h.st.GetRequest(ctx, "T1", "OPS-1")
	if err != nil || r.Outcome != "pos" || len(r.History) != 1 || r.History[0].By != "UREQ" {
		t.Fatalf("OPS-1 after the pick: %+v %v", r, err)
	}

	// A pick of an unknown outcome is refused to the picker alone.
	var ritmBlock string
	for id := range after {
		ritmBlock = id
	}
	if status := h.pick("T1", "UREQ", "CIT", msg.TS, "triage", ritmBlock, "gone", "gone"); status != http.StatusOK {
		t.Fatalf("pick: HTTP %d", status)
	}
	h.wait()
	eph := h.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != "UREQ" || !strings.Contains(eph[0].Form.Get("text"), "No outcome") {
		t.Errorf("refusal: %+v", eph)
	}
	if n := len(h.slack.Calls("chat.update")); n != 1 {
		t.Errorf("a refused pick updated the message (%d updates)", n)
	}
}
