package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/intake"
)

const hostileLabel = "<at>Dev Lead</at> **bold** [x](https://evil.example) \uE000uX\uE001"

// triageMessage is the shared triage fixture with a context line naming
// the last pick.
func triageMessage() commands.Response {
	r := commandstest.TriageMessage(hostileLabel)
	r.Context = commands.Mention("aad-maria") + " tagged " + commands.Code("INC0060001") + " → " + commands.Code("pos")
	return r
}

func TestRenderPickerCard(t *testing.T) {
	msgs := renderResponse(triageMessage(), testDir)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	golden(t, msgs)
	c := msgs[0].Attachments[0].Content.(card)
	ps := cardPickers(c)
	if len(ps) != 2 || ps[0].input != "pick-0" || ps[1].input != "pick-1" || ps[1].value != "7 RITM0060002" {
		t.Fatalf("pickers %+v", ps)
	}
	if js := string(marshalJSON(c.Body)); strings.Count(js, "<at>") != 1 { // only the context's real mention
		t.Errorf("a label or placeholder formed a mention: %s", js)
	}
}

// picker is a menu found in a rendered card and the button that submits it.
type picker struct {
	input, action, value string
	choices              []string // values
}

// cardPickers lists the menus of a card, checking that each button names
// a menu of the same card placed just before it, and that menu ids are unique.
func cardPickers(c card) []picker {
	var out []picker
	seen := map[string]bool{}
	var walk func(els []element)
	walk = func(els []element) {
		for i, e := range els {
			if e.Type == "ActionSet" && i > 0 && els[i-1].Type == "Input.ChoiceSet" {
				set, a := els[i-1], e.Actions[0]
				if a.Data.Input != set.ID || seen[set.ID] || a.Type != "Action.Submit" || a.Title != "Tag" || set.Style != "compact" {
					return // leaves the picker out, so the caller's count fails
				}
				seen[set.ID] = true
				p := picker{input: set.ID, action: a.Data.Action, value: a.Data.Value}
				for _, ch := range set.Choices {
					p.choices = append(p.choices, ch.Value)
				}
				out = append(out, p)
			}
			walk(e.Items)
		}
	}
	walk(c.Body)
	return out
}

// TestRenderPickerLimits: a hundred and twenty options are cut to a
// hundred, labels to commands.MaxChoiceLabel runes, values never.
func TestRenderPickerLimits(t *testing.T) {
	var opts []commands.Choice
	for i := range 120 {
		opts = append(opts, commands.Choice{Label: strings.Repeat("é", 100), Value: fmt.Sprintf("v%03d", i)})
	}
	resp := commands.Response{Sections: []commands.Section{{Text: "one", Picker: &commands.Picker{Action: "triage", Value: "1 A", Options: opts}}}}
	set := renderResponse(resp, testDir)[0].Attachments[0].Content.(card).Body[0].Items[1]
	if set.Type != "Input.ChoiceSet" || len(set.Choices) != commands.MaxPickerOptions || set.Placeholder != defaultPickerPlaceholder {
		t.Fatalf("choice set %s with %d choices, placeholder %q", set.Type, len(set.Choices), set.Placeholder)
	}
	if ch := set.Choices[99]; len([]rune(ch.Title)) != commands.MaxChoiceLabel || ch.Value != "v099" {
		t.Errorf("choice %q (%d runes) = %q", ch.Title, len([]rune(ch.Title)), ch.Value)
	}
	// A picker with no options is left out: there is nothing to pick.
	resp.Sections[0].Picker.Options = nil
	if items := renderResponse(resp, testDir)[0].Attachments[0].Content.(card).Body[0].Items; len(items) != 1 {
		t.Errorf("an empty picker rendered: %+v", items)
	}
}

// TestRenderManyPickersSplit: sixty pickers with forty outcomes each do not
// fit one card; every card stays within the limit and keeps each menu
// with its button, and menu ids are unique across the response.
func TestRenderManyPickersSplit(t *testing.T) {
	var opts []commands.Choice
	for i := range 40 {
		opts = append(opts, commands.Choice{Label: fmt.Sprintf("outcome-%02d — Outcome number %d with a longish title", i, i), Value: fmt.Sprintf("outcome-%02d", i)})
	}
	resp := commands.Response{Title: "Untagged requests", Text: "60 requests"}
	for i := range 60 {
		resp.Sections = append(resp.Sections, commands.Section{
			Text:   commands.Code(fmt.Sprintf("INC%07d", i)) + " · " + strings.Repeat("long title ", 20) + "\napi · received Mon 16 Nov",
			Picker: &commands.Picker{Action: commands.ActionTriage, Value: fmt.Sprintf("7 INC%07d", i), Placeholder: "Pick its outcome", Options: opts},
		})
	}
	msgs := renderResponse(resp, testDir)
	if len(msgs) < 2 {
		t.Fatalf("%d cards, want the pickers split", len(msgs))
	}
	ids := map[string]bool{}
	for i, m := range msgs {
		if n := len(marshalJSON(activityFor(m))); n > maxMessageBytes {
			t.Errorf("card %d: activity is %d bytes, over %d", i, n, maxMessageBytes)
		}
		for _, p := range cardPickers(m.Attachments[0].Content.(card)) {
			if ids[p.input] || len(p.choices) != 40 {
				t.Errorf("card %d: menu %s repeated or with %d choices", i, p.input, len(p.choices))
			}
			ids[p.input] = true
		}
	}
	if len(ids) != 60 {
		t.Errorf("%d menus rendered, want 60", len(ids))
	}
}

// TestTriageMessagesFitCards: the core's own split of a full week (sixty
// requests, forty outcomes) renders each message as one card within limits.
func TestTriageMessagesFitCards(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 40 {
		resp := e.core.Handle(ctx, commands.Request{Workspace: testTenant, Channel: dmConv, User: admin.aad,
			Command: "outcome", Text: fmt.Sprintf(`add outcome-%02d "Outcome number %d with a longish title"`, i, i)})
		if !strings.Contains(resp.Text, "outcome-") {
			t.Fatalf("outcome add: %+v", resp)
		}
	}
	var items []intake.Item
	for i := range 75 {
		items = append(items, intake.Item{Ref: fmt.Sprintf("INC%07d", i), Title: strings.Repeat("long title ", 20),
			Requester: strings.Repeat("Maria Lopez ", 6), Source: "servicenow"})
	}
	now := time.Now()
	if _, err := e.bot.Intake.Take(ctx, testTenant, items, intake.Options{At: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	resps, n, err := e.bot.Triage.Messages(ctx, testTenant, itConv, now)
	if err != nil || n != 60 {
		t.Fatalf("triage: %d requests, %v", n, err)
	}
	menus := 0
	for i, r := range resps {
		msgs := renderResponse(r, testDir)
		if len(msgs) != 1 {
			t.Errorf("triage message %d renders to %d cards, want 1", i, len(msgs))
		}
		for _, m := range msgs {
			if size := len(marshalJSON(activityFor(m))); size > maxMessageBytes {
				t.Errorf("triage message %d: %d bytes, over %d", i, size, maxMessageBytes)
			}
			for _, p := range cardPickers(m.Attachments[0].Content.(card)) {
				if len(p.choices) != 40 {
					t.Fatalf("menu %s offers %d outcomes, want 40", p.input, len(p.choices))
				}
				menus++
			}
			t.Logf("triage message %d: %d bytes", i, len(marshalJSON(activityFor(m))))
		}
	}
	if menus != 60 {
		t.Errorf("%d menus, want 60", menus)
	}
}

// pickSubmit is a press of a picker's button on card cardID: Teams sends
// the button's data merged with every input of the card.
func (e *env) pickSubmit(cardID string, from user, data map[string]any, inputs map[string]string) map[string]any {
	a := e.submit(itConv, cardID, from, "", "")
	v := map[string]any{}
	for k, x := range data {
		v[k] = x
	}
	for k, x := range inputs {
		v[k] = x
	}
	a["value"] = v
	return a
}

// postedPickers reads the menus of the card in a connector call.
func postedPickers(t *testing.T, c call) []picker {
	t.Helper()
	atts, _ := c.Body["attachments"].([]any)
	if len(atts) != 1 {
		t.Fatalf("call has %d attachments: %s", len(atts), c.text())
	}
	var cd card
	if err := jsonRoundTrip(atts[0].(map[string]any)["content"], &cd); err != nil {
		t.Fatal(err)
	}
	return cardPickers(cd)
}

// TestTriagePickFlow: the weekly triage is posted with a menu and a Tag
// button per untagged request; a pick tags the request as /tag does and
// the card is updated in place without that request's menu. Pressing Tag
// with nothing picked in that menu (even if another menu has a pick) is
// answered and changes nothing.
func TestTriagePickFlow(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.do(e.command(itConv, "channel", admin, `outcome add infra "Stores online"`))
	ctx := context.Background()
	now := time.Now()
	if _, err := e.bot.Intake.Take(ctx, testTenant, []intake.Item{
		{Ref: "OPS-1", Title: "Label printer offline", Requester: "Maria Lopez", Source: "jira"},
		{Ref: "RITM0060002", Title: "New laptop", Source: "servicenow"},
	}, intake.Options{At: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.bot.Triage.Send(ctx, e.adapter.Poster(), testTenant, itConv, now); err != nil || n != 2 {
		t.Fatalf("send triage: %d, %v", n, err)
	}
	calls := e.conn.take()
	if len(calls) != 1 || calls[0].Method != http.MethodPost || calls[0].Conversation != itConv || calls[0].ActivityID != "" {
		t.Fatalf("triage post: %+v", calls)
	}
	cardID := fmt.Sprint(1000 + e.conn.nextID.Load())
	ps := postedPickers(t, calls[0])
	if len(ps) != 2 || ps[0].action != commands.ActionTriage || strings.Join(ps[0].choices, ",") != "infra,pos" {
		t.Fatalf("pickers %+v", ps)
	}
	var ops, ritm picker
	for _, p := range ps {
		switch {
		case strings.HasSuffix(p.value, " OPS-1"):
			ops = p
		case strings.HasSuffix(p.value, " RITM0060002"):
			ritm = p
		}
	}
	if ops.input == "" || ritm.input == "" {
		t.Fatalf("no menu for OPS-1 or RITM0060002: %+v", ps)
	}
	data := func(p picker) map[string]any {
		return map[string]any{"action": p.action, "value": p.value, "input": p.input}
	}

	// Tag pressed under OPS-1 with its menu empty, RITM's menu picked: refused.
	calls = e.do(e.pickSubmit(cardID, maria, data(ops), map[string]string{ops.input: "", ritm.input: "pos"}))
	if len(calls) != 1 || calls[0].Method != http.MethodPost || !strings.Contains(calls[0].text(), "Pick an outcome") {
		t.Fatalf("empty pick: want one reply asking to pick an outcome, got %+v", calls)
	}
	for _, ref := range []string{"OPS-1", "RITM0060002"} {
		if r, err := e.store.GetRequest(ctx, testTenant, ref); err != nil || r.Outcome != "" || len(r.History) != 0 {
			t.Fatalf("%s after an empty pick: %+v, %v", ref, r, err)
		}
	}

	// A pick in OPS-1's menu tags OPS-1 and redraws the card in place.
	calls = e.do(e.pickSubmit(cardID, maria, data(ops), map[string]string{ops.input: "pos", ritm.input: "infra"}))
	if len(calls) != 1 || calls[0].Method != http.MethodPut || calls[0].ActivityID != cardID {
		t.Fatalf("pick: want the card %s updated, got %+v", cardID, calls)
	}
	if upd := calls[0].text(); !strings.Contains(upd, "<at>Maria Lopez</at> tagged") || !strings.Contains(upd, "OPS-1") {
		t.Errorf("updated card: %s", upd)
	}
	if after := postedPickers(t, calls[0]); len(after) != 1 || after[0].value != ritm.value {
		t.Errorf("menus after the pick: %+v", after)
	}
	r, err := e.store.GetRequest(ctx, testTenant, "OPS-1")
	if err != nil || r.Outcome != "pos" || len(r.History) != 1 || r.History[0].By != maria.aad {
		t.Fatalf("OPS-1 after the pick: %+v, %v", r, err)
	}
	if r, _ := e.store.GetRequest(ctx, testTenant, "RITM0060002"); r.Outcome != "" {
		t.Errorf("another menu's value tagged RITM0060002 → %s", r.Outcome)
	}
}

// jsonRoundTrip decodes v's JSON encoding into out.
func jsonRoundTrip(v, out any) error { return json.Unmarshal(marshalJSON(v), out) }
