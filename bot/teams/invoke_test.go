package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// invokeAct builds an invoke activity named name with value, from user
// in conv.
func (e *env) invokeAct(name, conv, convType string, from user, value map[string]any) map[string]any {
	a := e.activity("invoke", conv, convType, from, "")
	a["name"] = name
	a["value"] = value
	return a
}

// invokeRaw posts act with a token made from spec (none when nil) and
// returns the status and body of the answer, without waiting for the
// background work.
func (e *env) invokeRaw(act map[string]any, spec *tokenSpec) (int, []byte) {
	e.t.Helper()
	resp, body := e.roundTrip(act, spec)
	return resp.StatusCode, body
}

// answer is a decoded invoke answer: a dialog or a message.
type answer struct {
	Type    string
	Message string
	Dialog  taskInfo
	Raw     string
}

// invoke posts a validly signed invoke, waits for the background work
// and decodes the answer.
func (e *env) invoke(act map[string]any) answer {
	e.t.Helper()
	status, body := e.invokeRaw(act, &tokenSpec{})
	e.adapter.turns.Wait()
	if status != http.StatusOK {
		e.t.Fatalf("invoke %v: status %d %s", act["name"], status, body)
	}
	var env struct {
		Task struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"task"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		e.t.Fatalf("invoke answer %s: %v", body, err)
	}
	a := answer{Type: env.Task.Type, Raw: string(body)}
	switch a.Type {
	case "message":
		_ = json.Unmarshal(env.Task.Value, &a.Message)
	case "continue":
		if err := json.Unmarshal(env.Task.Value, &a.Dialog); err != nil {
			e.t.Fatalf("dialog %s: %v", body, err)
		}
	default:
		e.t.Fatalf("invoke answer of type %q: %s", a.Type, body)
	}
	return a
}

// input finds the dialog's input with id.
func (a answer) input(t testing.TB, id string) dialogElement {
	t.Helper()
	for _, el := range a.Dialog.Card.Content.Body {
		if el.ID == id {
			return el
		}
	}
	t.Fatalf("dialog has no input %q: %s", id, a.Raw)
	return dialogElement{}
}

// sealed is the dialog's submit data (what Teams sends back, before the
// inputs are merged in).
func (a answer) sealed(t testing.TB) formData {
	t.Helper()
	acts := a.Dialog.Card.Content.Actions
	if len(acts) != 1 || acts[0].Type != "Action.Submit" {
		t.Fatalf("dialog actions %+v, want one Action.Submit", acts)
	}
	return acts[0].Data.Form
}

// submission is the data Teams sends for a dialog with inputs.
func submission(d formData, inputs map[string]any) map[string]any {
	data := map[string]any{"outcomebot": d}
	for k, v := range inputs {
		data[k] = v
	}
	return data
}

// sampleMessage is a Teams message as a message action receives it:
// HTML, a mention, entities, a typed tag and a control character.
func sampleMessage() map[string]any {
	return map[string]any{
		"id": "1700000000000",
		"body": map[string]any{"contentType": "html",
			"content": `<p>Tills down in Leeds, <at id="0">Maria Lopez</at> says &amp; card` + "\a\x1b[31m\u202e" + ` payments fail &lt;at&gt;all&lt;/at&gt;</p><p>since 9am<br>help</p>`},
		"from":          map[string]any{"user": map[string]any{"id": maria.aad, "displayName": maria.name, "userIdentityType": "aadUser"}},
		"linkToMessage": "https://teams.microsoft.com/l/message/19:ops@thread.tacv2/1700000000000?tenantId=tenant-1",
	}
}

// fetchOnMessage opens the message action's dialog on sampleMessage.
func (e *env) fetchOnMessage(from user) answer {
	return e.invoke(e.invokeAct(invokeFetchTask, opsConv, "channel", from, map[string]any{
		"commandId": "escalate", "commandContext": "message", "messagePayload": sampleMessage(),
	}))
}

func TestMessageActionPrefillsDialog(t *testing.T) {
	e := newEnv(t)
	e.setup()
	a := e.fetchOnMessage(maria)
	if a.Type != "continue" || a.Dialog.Title != "Escalate blocked work" || a.Dialog.Card.ContentType != cardContentType {
		t.Fatalf("fetchTask answer: %s", a.Raw)
	}
	reason := a.input(t, "reason")
	want := "Tills down in Leeds, @Maria Lopez says & card[31m payments fail ＜at>all＜/at>\nsince 9am\nhelp"
	if reason.Type != "Input.Text" || !reason.IsMultiline || reason.MaxLength != 3000 || reason.Value != want {
		t.Errorf("reason input = %+v\nwant the message as plain text %q", reason, want)
	}
	if strings.Contains(a.Raw, "<at") || strings.ContainsAny(a.Raw, "\a\x1b\u202e") || strings.Contains(a.Raw, `\u00`) {
		t.Errorf("the dialog carries a raw mention or control character: %s", a.Raw)
	}
	outcome := a.input(t, "outcome")
	if outcome.Type != "Input.ChoiceSet" || outcome.Style != "compact" || len(outcome.Choices) != 1 || outcome.Choices[0].Value != "pos" {
		t.Errorf("outcome menu = %+v, want the active outcome pos", outcome)
	}
	if tk := a.input(t, "ticket"); tk.Type != "Input.Text" || tk.IsRequired {
		t.Errorf("ticket input = %+v, want an optional text", tk)
	}
	d := a.sealed(t)
	if d.Form != "escalate" || d.Seal == "" || d.Hidden["channel"] != opsConv ||
		d.Hidden["message_by"] != maria.aad || !strings.HasPrefix(d.Hidden["message_link"], "https://teams.microsoft.com/l/message/") {
		t.Errorf("sealed data = %+v, want the form, its conversation and the message's link and author", d)
	}
	for _, el := range a.Dialog.Card.Content.Body {
		if el.ID == "channel" || el.ID == "message_link" || el.ID == "message_by" {
			t.Errorf("hidden field %s shown as an input", el.ID)
		}
	}

	// From the compose box there is no message: an empty dialog.
	b := e.invoke(e.invokeAct(invokeFetchTask, opsConv, "channel", maria, map[string]any{"commandId": "escalate", "commandContext": "compose"}))
	if b.Type != "continue" || b.input(t, "reason").Value != "" || b.sealed(t).Hidden["message_link"] != "" {
		t.Errorf("compose-box dialog: %s", b.Raw)
	}
	// An unknown command is refused in words.
	if c := e.invoke(e.invokeAct(invokeFetchTask, opsConv, "channel", maria, map[string]any{"commandId": "nuke"})); c.Type != "message" || !strings.Contains(c.Message, "not known") {
		t.Errorf("unknown command: %s", c.Raw)
	}
}

func TestMessageActionWithoutOutcomesIsRefused(t *testing.T) {
	e := newEnv(t)
	a := e.fetchOnMessage(maria)
	if a.Type != "message" || !strings.Contains(a.Message, "no outcomes") || strings.Contains(a.Message, "<") {
		t.Fatalf("fetchTask without outcomes: %s", a.Raw)
	}
}

func TestDialogSubmitShowsErrorsOnFields(t *testing.T) {
	e := newEnv(t)
	e.setup()
	d := e.fetchOnMessage(maria).sealed(t)
	e.conn.take()
	a := e.invoke(e.invokeAct(invokeSubmitAction, opsConv, "channel", maria, map[string]any{
		"commandId": "escalate", "commandContext": "message",
		"data": submission(d, map[string]any{"outcome": "", "ticket": "TILLS", "reason": "@Maria @Ivan"}),
	}))
	if a.Type != "continue" {
		t.Fatalf("invalid submission: %s, want the dialog again", a.Raw)
	}
	body := a.Dialog.Card.Content.Body
	errAfter := func(id string) string {
		for i, el := range body {
			if el.ID != id {
				continue
			}
			for _, next := range body[i+1:] {
				if next.ID != "" {
					break
				}
				if next.Color == "Attention" {
					return next.Text
				}
			}
		}
		return ""
	}
	for id, want := range map[string]string{"outcome": "Pick the outcome", "ticket": "doesn't look like a ticket", "reason": "Say in words"} {
		if got := errAfter(id); !strings.Contains(got, want) {
			t.Errorf("error under %s = %q, want %q", id, got, want)
		}
	}
	// What was typed is kept, and the seal still holds the message.
	if a.input(t, "ticket").Value != "TILLS" || a.sealed(t).Hidden["message_link"] != d.Hidden["message_link"] {
		t.Errorf("re-shown dialog lost the submission: %s", a.Raw)
	}
	if _, err := e.store.GetEscalation(context.Background(), testTenant, 1); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("a refused submission raised an escalation: %v", err)
	}
	if calls := e.conn.take(); len(calls) != 0 {
		t.Errorf("a refused submission posted: %+v", calls)
	}
}

func TestDialogSubmitRaisesAndPostsAfterTheAnswer(t *testing.T) {
	e := newEnv(t)
	e.setup()
	d := e.fetchOnMessage(maria).sealed(t)
	e.conn.take()

	// The connector stalls every post until the answer has arrived.
	release := make(chan struct{})
	e.conn.fail = func(r *http.Request, n int) (int, http.Header, bool) {
		<-release
		return 0, nil, false
	}
	start := time.Now()
	status, body := e.invokeRaw(e.invokeAct(invokeSubmitAction, opsConv, "channel", maria, map[string]any{
		"commandId": "escalate", "commandContext": "message",
		"data": submission(d, map[string]any{"outcome": "pos", "ticket": "", "reason": "Tills down in Leeds"}),
	}), &tokenSpec{})
	took := time.Since(start)
	close(release)
	e.adapter.turns.Wait()
	if status != http.StatusOK || !strings.Contains(string(body), `"type":"message"`) || !strings.Contains(string(body), "E-1 raised") {
		t.Fatalf("submitAction answered %d %s, want a message naming E-1", status, body)
	}
	if took > 2*time.Second {
		t.Errorf("the answer took %v: it waited for the posting", took)
	}
	esc, err := e.store.GetEscalation(context.Background(), testTenant, 1)
	if err != nil || esc.Outcome != "pos" || esc.RaisedBy != maria.aad || esc.RaisedIn != opsConv ||
		esc.MessageBy != maria.aad || !strings.HasPrefix(esc.MessageLink, "https://teams.microsoft.com/l/message/") {
		t.Fatalf("escalation = %+v, %v", esc, err)
	}
	calls := e.conn.take()
	var card, announce bool
	for _, c := range calls {
		card = card || (c.Conversation == itConv && strings.Contains(c.text(), `"action":"ack"`))
		announce = announce || (c.Conversation == opsConv && strings.Contains(c.text(), "Tills down in Leeds"))
	}
	if !card || !announce {
		t.Errorf("after the answer: card posted %v, announcement %v; calls %+v", card, announce, calls)
	}
	if esc.CardID == "" {
		t.Errorf("card not tracked on E-1")
	}
}

func TestDialogSealRefusesTampering(t *testing.T) {
	e := newEnv(t)
	e.setup()
	good := e.fetchOnMessage(maria).sealed(t)
	inputs := map[string]any{"outcome": "pos", "reason": "tills down"}
	submit := func(from user, d formData, extra map[string]any) answer {
		in := map[string]any{}
		for k, v := range inputs {
			in[k] = v
		}
		for k, v := range extra {
			in[k] = v
		}
		return e.invoke(e.invokeAct(invokeTaskSubmit, opsConv, "channel", from, map[string]any{"data": submission(d, in)}))
	}
	clone := func(f func(*formData)) formData {
		d := good
		d.Hidden = map[string]string{}
		for k, v := range good.Hidden {
			d.Hidden[k] = v
		}
		d.Fields = append([]string(nil), good.Fields...)
		f(&d)
		return d
	}
	otherTenant := e.adapter.seal(commandsRequest("tenant-2", maria.aad), clone(func(*formData) {}))
	cases := map[string]struct {
		from user
		d    formData
	}{
		"changed channel":      {maria, clone(func(d *formData) { d.Hidden["channel"] = itConv })},
		"changed link":         {maria, clone(func(d *formData) { d.Hidden["message_link"] = "https://evil.example/x" })},
		"added hidden field":   {maria, clone(func(d *formData) { d.Hidden["message_by"] = "aad-admin" })},
		"another form":         {maria, clone(func(d *formData) { d.Form = "outcome" })},
		"seal removed":         {maria, clone(func(d *formData) { d.Seal = "" })},
		"another user's":       {itLead, good},
		"sealed for tenant-2":  {maria, clone(func(d *formData) { d.Seal = otherTenant })},
		"extra visible fields": {maria, clone(func(d *formData) { d.Fields = append(d.Fields, "message_link") })},
	}
	for name, c := range cases {
		e.conn.take()
		a := submit(c.from, c.d, nil)
		if a.Type != "message" || !strings.Contains(a.Message, "could not be checked") {
			t.Errorf("%s: answered %s, want a refusal", name, a.Raw)
		}
		if _, err := e.store.GetEscalation(context.Background(), testTenant, 1); !errors.Is(err, record.ErrNotFound) {
			t.Fatalf("%s: an escalation was raised (%v)", name, err)
		}
		if calls := e.conn.take(); len(calls) != 0 {
			t.Errorf("%s: posted %+v", name, calls)
		}
	}
	// An input posing as a hidden field is not read: the sealed value wins.
	a := submit(maria, good, map[string]any{"channel": itConv, "message_link": "https://evil.example/x"})
	if a.Type != "message" || !strings.Contains(a.Message, "E-1 raised") {
		t.Fatalf("genuine submission: %s", a.Raw)
	}
	esc, _ := e.store.GetEscalation(context.Background(), testTenant, 1)
	if esc.RaisedIn != opsConv || strings.Contains(esc.MessageLink, "evil") {
		t.Errorf("an input overrode a sealed value: %+v", esc)
	}
}

func TestInvokesNeedAValidToken(t *testing.T) {
	e := newEnv(t)
	e.setup()
	d := e.fetchOnMessage(maria).sealed(t)
	act := e.invokeAct(invokeSubmitAction, opsConv, "channel", maria, map[string]any{
		"commandId": "escalate", "data": submission(d, map[string]any{"outcome": "pos", "reason": "tills down"}),
	})
	for name, c := range map[string]struct {
		spec *tokenSpec
		want int
	}{
		"no token":     {nil, http.StatusUnauthorized},
		"forged token": {&tokenSpec{kid: "kid-1", signWith: "kid-2"}, http.StatusForbidden}, // as for messages
		"wrong app":    {&tokenSpec{aud: "someone-else"}, http.StatusForbidden},
	} {
		if status, body := e.invokeRaw(act, c.spec); status != c.want || strings.Contains(string(body), "task") {
			t.Errorf("%s: status %d %s, want %d", name, status, body, c.want)
		}
	}
	other := e.invokeAct(invokeSubmitAction, opsConv, "channel", maria, map[string]any{"commandId": "escalate", "data": submission(d, nil)})
	other["conversation"].(map[string]any)["tenantId"] = "tenant-2"
	other["channelData"] = map[string]any{"tenant": map[string]any{"id": "tenant-2"}}
	if status, _ := e.invokeRaw(other, &tokenSpec{}); status != http.StatusForbidden {
		t.Errorf("invoke from another tenant: status %d, want 403", status)
	}
	e.adapter.turns.Wait()
	if _, err := e.store.GetEscalation(context.Background(), testTenant, 1); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("a refused invoke raised an escalation: %v", err)
	}
}

func TestEscalateWithoutArgumentsOpensDialog(t *testing.T) {
	e := newEnv(t)
	e.setup()
	calls := e.do(e.command(opsConv, "channel", maria, "escalate"))
	if len(calls) != 1 {
		t.Fatalf("escalate with no arguments: %d calls, want one reply", len(calls))
	}
	// The reply is a card whose button opens the dialog by task/fetch.
	var msg struct {
		Attachments []struct {
			Content struct {
				Actions []struct {
					Type  string         `json:"type"`
					Title string         `json:"title"`
					Data  map[string]any `json:"data"`
				} `json:"actions"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal([]byte(calls[0].text()), &msg); err != nil || len(msg.Attachments) != 1 {
		t.Fatalf("reply %s: %v", calls[0].text(), err)
	}
	acts := msg.Attachments[0].Content.Actions
	if len(acts) != 1 || acts[0].Type != "Action.Submit" || fmt.Sprint(acts[0].Data["msteams"]) != "map[type:task/fetch]" {
		t.Fatalf("reply's button = %+v, want an Action.Submit opening a dialog", acts)
	}
	if !strings.Contains(calls[0].text(), "outcome=") {
		t.Errorf("the card does not say what to type instead: %s", calls[0].text())
	}
	// Teams sends the button's data as a task/fetch invoke.
	a := e.invoke(e.invokeAct(invokeTaskFetch, opsConv+";messageid="+calls[0].ActivityID, "channel", maria,
		map[string]any{"data": acts[0].Data, "context": map[string]any{"theme": "default"}}))
	if a.Type != "continue" || a.input(t, "reason").Value != "" || a.sealed(t).Hidden["channel"] != opsConv {
		t.Fatalf("task/fetch: %s", a.Raw)
	}
	b := e.invoke(e.invokeAct(invokeTaskSubmit, opsConv, "channel", maria, map[string]any{
		"data": submission(a.sealed(t), map[string]any{"outcome": "pos", "ticket": "INC0012345", "reason": "tills down"}),
	}))
	if b.Type != "message" || !strings.Contains(b.Message, "E-1 raised for INC0012345") {
		t.Fatalf("task/submit: %s", b.Raw)
	}
	if esc, err := e.store.GetEscalation(context.Background(), testTenant, 1); err != nil || esc.Ref != "INC0012345" || esc.MessageLink != "" {
		t.Errorf("escalation = %+v, %v", esc, err)
	}
	// A task/fetch naming no form is refused in words.
	if c := e.invoke(e.invokeAct(invokeTaskFetch, opsConv, "channel", maria, map[string]any{"data": map[string]any{"msteams": map[string]any{"type": "task/fetch"}}})); c.Type != "message" {
		t.Errorf("task/fetch without a form: %s", c.Raw)
	}
}

func TestDialogWithManyOutcomesFilters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 130 {
		if err := e.store.CreateOutcome(ctx, testTenant, record.Outcome{Key: fmt.Sprintf("o%03d", i), Title: fmt.Sprintf("Outcome %d", i), Status: record.OutcomeActive}); err != nil {
			t.Fatal(err)
		}
	}
	a := e.fetchOnMessage(maria)
	o := a.input(t, "outcome")
	if o.Style != "filtered" || len(o.Choices) != 100 || o.Choices[0].Value != "o000" {
		t.Errorf("outcome menu: style %q, %d choices; want a filtered menu of the first 100", o.Style, len(o.Choices))
	}
}

func TestHTMLToText(t *testing.T) {
	for in, want := range map[string]string{
		`<div>a &lt;b&gt; <at id="1">Ann &amp; Bo</at></div>`: "a ＜b> @Ann & Bo\n",
		`x<br/>y<!-- hidden --><img src="x">z`:                "x\nyz",
		"plain &#x1F600; text":                                "plain 😀 text",
	} {
		if got := htmlToText(in); got != want {
			t.Errorf("htmlToText(%q) = %q, want %q", in, got, want)
		}
	}
}

// commandsRequest is a request of user in workspace ws.
func commandsRequest(ws, user string) commands.Request {
	return commands.Request{Workspace: ws, User: user}
}

func TestDialogSubmitForArchivedOutcome(t *testing.T) {
	e := newEnv(t)
	e.setup()
	d := e.fetchOnMessage(maria).sealed(t)
	e.do(e.command(itConv, "channel", admin, "outcome archive pos"))
	a := e.invoke(e.invokeAct(invokeSubmitAction, opsConv, "channel", maria, map[string]any{
		"commandId": "escalate", "data": submission(d, map[string]any{"outcome": "pos", "reason": "tills down"}),
	}))
	// No active outcome is left to pick: the dialog cannot be shown again,
	// and the answer says why; nothing is raised.
	if a.Type != "message" || !strings.Contains(a.Message, "pos was archived meanwhile") || !strings.Contains(a.Message, "no outcomes") {
		t.Errorf("submission for an archived outcome: %s", a.Raw)
	}
	if _, err := e.store.GetEscalation(context.Background(), testTenant, 1); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("an escalation was raised for an archived outcome: %v", err)
	}
}

func TestConcurrentDialogSubmissionsRaiseOnce(t *testing.T) {
	e := newEnv(t)
	e.setup()
	d := e.fetchOnMessage(maria).sealed(t)
	act := e.invokeAct(invokeSubmitAction, opsConv, "channel", maria, map[string]any{
		"commandId": "escalate", "data": submission(d, map[string]any{"outcome": "pos", "ticket": "INC0012345", "reason": "tills down"}),
	})
	body, _ := json.Marshal(act)
	token := "Bearer " + sign(t, tokenSpec{}, e.conn.serviceURL())
	const n = 50
	statuses := make(chan int, n)
	for range n {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/messages", strings.NewReader(string(body)))
			req.Header.Set("Authorization", token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	for range n {
		if s := <-statuses; s != http.StatusOK {
			t.Errorf("a concurrent submission got %d", s)
		}
	}
	e.adapter.turns.Wait()
	if esc, err := e.store.GetEscalation(context.Background(), testTenant, 1); err != nil || esc.Ref != "INC0012345" {
		t.Fatalf("E-1 = %+v, %v", esc, err)
	}
	if _, err := e.store.GetEscalation(context.Background(), testTenant, 2); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("50 concurrent submissions of one request raised more than one escalation: %v", err)
	}
}
