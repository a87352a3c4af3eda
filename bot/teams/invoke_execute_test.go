package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/store/record"
)

// execute builds the adaptiveCard/action invoke of a click on the card
// cardID in conv (an Action.Execute with verb and data), from user.
func (e *env) execute(conv, cardID string, from user, verb string, data map[string]any) map[string]any {
	a := e.invokeAct(invokeCardAction, conv+";messageid="+cardID, "channel", from, map[string]any{
		"action": map[string]any{"type": "Action.Execute", "verb": verb, "data": data},
	})
	a["replyToId"] = cardID
	return a
}

// executeAnswerT is a decoded adaptiveCard/action answer.
type executeAnswerT struct {
	StatusCode int             `json:"statusCode"`
	Type       string          `json:"type"`
	Value      json.RawMessage `json:"value"`
}

// runExecute posts a validly signed card action, waits for the work after
// the answer and returns the answer and the connector calls made.
func (e *env) runExecute(act map[string]any) (executeAnswerT, []call) {
	e.t.Helper()
	status, body := e.invokeRaw(act, &tokenSpec{})
	e.adapter.turns.Wait()
	if status != http.StatusOK {
		e.t.Fatalf("card action: status %d %s", status, body)
	}
	var a executeAnswerT
	if err := json.Unmarshal(body, &a); err != nil || a.StatusCode != http.StatusOK {
		e.t.Fatalf("card action answer %s: %v", body, err)
	}
	return a, e.conn.take()
}

// cardOf decodes an answer that must be a card.
func (a executeAnswerT) cardOf(t *testing.T) card {
	t.Helper()
	var c card
	if a.Type != cardContentType || json.Unmarshal(a.Value, &c) != nil {
		t.Fatalf("answer is not a card: %s %s", a.Type, a.Value)
	}
	return c
}

// escalatedCard raises E-1 on pos from the ops channel and returns the
// card's tracked activity id and its JSON as posted.
func (e *env) escalatedCard() (string, string) {
	e.t.Helper()
	e.setup()
	e.do(e.command(opsConv, "channel", maria, "tag INC0012345 pos"))
	calls := e.do(e.command(opsConv, "channel", maria, "escalate INC0012345 tills down"))
	esc, err := e.store.GetEscalation(context.Background(), testTenant, 1)
	if err != nil || esc.CardID == "" {
		e.t.Fatalf("card not tracked: %+v, %v", esc, err)
	}
	for _, c := range calls {
		if c.Conversation == itConv && c.ActivityID == "" {
			return esc.CardID, c.text()
		}
	}
	e.t.Fatalf("no card posted to %s: %+v", itConv, calls)
	return "", ""
}

func TestCardButtonsAreUniversalActions(t *testing.T) {
	e := newEnv(t)
	_, posted := e.escalatedCard()
	var act struct {
		Attachments []struct {
			Content card `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal([]byte(posted), &act); err != nil || len(act.Attachments) != 1 {
		t.Fatalf("posted card %s: %v", posted, err)
	}
	c := act.Attachments[0].Content
	// Acknowledge and Resolve, then Add note and Reassign, which open a
	// dialog (task/fetch needs Action.Submit).
	if c.Version != "1.5" || len(c.Actions) != 4 {
		t.Fatalf("card version %s with %d buttons, want 1.5 with 4: %s", c.Version, len(c.Actions), posted)
	}
	for _, a := range c.Actions[2:] {
		if a.Type != "Action.Submit" || a.Data.MSTeams == nil || a.Data.MSTeams.Type != "task/fetch" {
			t.Errorf("form button %+v: want an Action.Submit sending task/fetch", a)
		}
	}
	for _, a := range c.Actions[:2] {
		if a.Type != "Action.Execute" || a.Verb != a.Data.Action || a.Data.Value != "E-1" {
			t.Errorf("button %+v: want an Action.Execute whose verb is its action, for E-1", a)
		}
		if f := a.Fallback; f == nil || f.Type != "Action.Submit" || f.Data != a.Data || f.Title != a.Title {
			t.Errorf("button %q: fallback %+v, want an Action.Submit with the same data", a.Title, a.Fallback)
		}
	}
	if c.Refresh == nil || c.Refresh.Action.Verb != refreshVerb || strings.Join(c.Refresh.UserIDs, ",") != itLead.id {
		t.Errorf("refresh %+v: want the verb %q for the IT owner %s", c.Refresh, refreshVerb, itLead.id)
	}
}

func TestRefusedCardActionAnswersOnlyTheClicker(t *testing.T) {
	e := newEnv(t)
	cardID, _ := e.escalatedCard()
	ans, calls := e.runExecute(e.execute(itConv, cardID, maria, "ack", map[string]any{"action": "ack", "value": "E-1"}))
	var text string
	if ans.Type != executeMessageType || json.Unmarshal(ans.Value, &text) != nil || !strings.Contains(text, "it-lead") {
		t.Fatalf("refusal answer %s %s: want a message naming the it-lead role", ans.Type, ans.Value)
	}
	if len(calls) != 0 {
		t.Errorf("a refusal for the clicker was also sent to Teams: %+v", calls)
	}
	if esc, _ := e.store.GetEscalation(context.Background(), testTenant, 1); esc.State != record.StateOpen {
		t.Errorf("refused ack changed the escalation to %s", esc.State)
	}
}

func TestCardActionAnswersWithTheUpdatedCard(t *testing.T) {
	e := newEnv(t)
	cardID, _ := e.escalatedCard()
	ans, calls := e.runExecute(e.execute(itConv, cardID, itLead, "ack", map[string]any{"action": "ack", "value": "E-1"}))
	c := ans.cardOf(t)
	body := string(marshalJSON(c))
	if !strings.Contains(body, "Acknowledged by <at>Ivan IT</at>") || len(c.Actions) != 3 || c.Actions[0].Verb != "resolve" || c.Actions[1].Data.Action != "form:note" {
		t.Fatalf("answer card: want acknowledged with Resolve (and the note and reassign forms): %s", body)
	}
	if esc, _ := e.store.GetEscalation(context.Background(), testTenant, 1); esc.State != record.StateAcknowledged || esc.AckBy != itLead.aad {
		t.Fatalf("escalation after ack = %+v", esc)
	}
	// Everyone else sees the card updated in place; the raiser is told in
	// the announcement's thread; nothing is posted under the card.
	var updated, notice int
	for _, c := range calls {
		switch {
		case c.Method == http.MethodPut && c.ActivityID == cardID:
			updated++
			if !strings.Contains(c.text(), "Acknowledged by <at>Ivan IT</at>") {
				t.Errorf("card updated to %s", c.text())
			}
		case c.Method == http.MethodPost && strings.HasPrefix(c.Conversation, opsConv):
			notice++
		default:
			t.Errorf("unexpected connector call %s %s %s: %s", c.Method, c.Conversation, c.ActivityID, c.text())
		}
	}
	if updated != 1 || notice != 1 {
		t.Errorf("card updated %d times, raiser told %d times; want 1 and 1", updated, notice)
	}
	// A refresh now shows the acknowledged card.
	ans, _ = e.runExecute(e.execute(itConv, cardID, itLead, refreshVerb, map[string]any{"action": refreshVerb}))
	if rc := ans.cardOf(t); !strings.Contains(string(marshalJSON(rc)), "Acknowledged by") || len(rc.Actions) != 3 || rc.Actions[0].Verb != "resolve" {
		t.Errorf("refresh after ack: %s", ans.Value)
	}
}

func TestRefreshIsPerUser(t *testing.T) {
	e := newEnv(t)
	cardID, _ := e.escalatedCard()
	refresh := func(u user) card {
		t.Helper()
		ans, calls := e.runExecute(e.execute(itConv, cardID, u, refreshVerb, map[string]any{"action": refreshVerb}))
		if len(calls) != 0 {
			t.Errorf("refresh by %s called the connector: %+v", u.name, calls)
		}
		return ans.cardOf(t)
	}
	// The IT owner (named by the refresh) and an admin get the buttons.
	for _, u := range []user{itLead, admin} {
		if c := refresh(u); len(c.Actions) != 4 || c.Actions[0].Verb != "ack" || c.Actions[1].Verb != "resolve" {
			t.Errorf("%s's view has buttons %+v, want Acknowledge, Resolve, Add note and Reassign", u.name, c.Actions)
		}
	}
	// Anyone else sees the same card without them.
	c := refresh(maria)
	if len(c.Actions) != 0 || !strings.Contains(string(marshalJSON(c)), "Open, not acknowledged") {
		t.Errorf("member's view: want the status without buttons, got %s", marshalJSON(c))
	}
	// A card the bot does not know, or one of another conversation, is
	// not refreshed.
	for _, act := range []map[string]any{
		e.execute(itConv, "9999", itLead, refreshVerb, map[string]any{"action": refreshVerb}),
		e.execute(opsConv, cardID, itLead, refreshVerb, map[string]any{"action": refreshVerb}),
	} {
		if ans, _ := e.runExecute(act); ans.Type != executeMessageType {
			t.Errorf("refresh of a card not known there: %s %s", ans.Type, ans.Value)
		}
	}
}

func TestCardActionWithForgedTokenIsRefused(t *testing.T) {
	e := newEnv(t)
	cardID, _ := e.escalatedCard()
	act := e.execute(itConv, cardID, itLead, "ack", map[string]any{"action": "ack", "value": "E-1"})
	for name, c := range map[string]struct {
		spec *tokenSpec
		want int
	}{
		"no token":     {nil, http.StatusUnauthorized},
		"forged token": {&tokenSpec{kid: "kid-1", signWith: "kid-2"}, http.StatusForbidden},
		"wrong app":    {&tokenSpec{aud: "someone-else"}, http.StatusForbidden},
	} {
		if status, body := e.invokeRaw(act, c.spec); status != c.want || strings.Contains(string(body), "statusCode") {
			t.Errorf("%s: status %d %s, want %d", name, status, body, c.want)
		}
	}
	e.adapter.turns.Wait()
	if calls := e.conn.take(); len(calls) != 0 {
		t.Errorf("refused card action sent %+v", calls)
	}
	if esc, _ := e.store.GetEscalation(context.Background(), testTenant, 1); esc.State != record.StateOpen {
		t.Errorf("refused card action changed the escalation to %s", esc.State)
	}
}

func TestCardActionWithoutActionIsAnswered(t *testing.T) {
	e := newEnv(t)
	cardID, _ := e.escalatedCard()
	ans, calls := e.runExecute(e.execute(itConv, cardID, itLead, "ack", map[string]any{"value": "E-1"}))
	if ans.Type != executeMessageType || len(calls) != 0 {
		t.Errorf("card action without an action: %s %s, calls %+v", ans.Type, ans.Value, calls)
	}
	if esc, _ := e.store.GetEscalation(context.Background(), testTenant, 1); esc.State != record.StateOpen {
		t.Errorf("escalation changed to %s", esc.State)
	}
}
