package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// cardButton finds the action titled title on the escalation card posted
// among calls, as Teams would send its data back.
func cardButton(t *testing.T, calls []call, title string) map[string]any {
	t.Helper()
	for _, c := range calls {
		if c.Conversation != itConv {
			continue
		}
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
		_ = json.Unmarshal([]byte(c.text()), &msg)
		for _, att := range msg.Attachments {
			for _, a := range att.Content.Actions {
				if a.Title == title {
					return a.Data
				}
			}
		}
	}
	t.Fatalf("no %q button on the card: %+v", title, calls)
	return nil
}

// TestAddNoteDialogFromTheCard: the card's "Add note…" button opens the
// note dialog by task/fetch; task/submit records the note, answers at once
// and updates the card; an empty note shows the dialog again with the
// error, and someone without the role gets no dialog but the grant
// command they need.
func TestAddNoteDialogFromTheCard(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.do(e.command(opsConv, "channel", maria, "tag INC0012345 pos"))
	calls := e.do(e.command(opsConv, "channel", maria, "escalate INC0012345 tills down"))
	data := cardButton(t, calls, "Add note…")
	if data["msteams"].(map[string]any)["type"] != "task/fetch" || data["value"] != "E-1" {
		t.Fatalf("button data %v", data)
	}
	esc, _ := e.store.GetEscalation(context.Background(), testTenant, 1)

	a := e.invoke(e.invokeAct(invokeTaskFetch, itConv, "channel", itLead, map[string]any{"data": data}))
	note := a.input(t, "note")
	if a.Type != "continue" || !note.IsMultiline || note.MaxLength != 3000 || a.sealed(t).Hidden["escalation"] != "E-1" {
		t.Fatalf("task/fetch: %s", a.Raw)
	}
	again := e.invoke(e.invokeAct(invokeTaskSubmit, itConv, "channel", itLead, map[string]any{
		"data": submission(a.sealed(t), map[string]any{"note": "  "})}))
	if again.Type != "continue" || !strings.Contains(again.Raw, "Write the note.") {
		t.Fatalf("empty note: %s", again.Raw)
	}
	refused := e.invoke(e.invokeAct(invokeTaskFetch, opsConv, "channel", maria, map[string]any{"data": data}))
	if refused.Type != "message" || !strings.Contains(refused.Message, "/outcome grant @Maria Lopez it-lead") {
		t.Fatalf("no role: %s", refused.Raw)
	}
	if got, _ := e.store.GetEscalation(context.Background(), testTenant, 1); got.Note != "" {
		t.Fatalf("a refused note was written: %+v", got)
	}
	e.conn.take()

	done := e.invoke(e.invokeAct(invokeTaskSubmit, itConv, "channel", itLead, map[string]any{
		"data": submission(a.sealed(t), map[string]any{"note": "vendor on site at 2pm"})}))
	if done.Type != "message" || !strings.Contains(done.Message, "Note added to E-1") {
		t.Fatalf("task/submit: %s", done.Raw)
	}
	if got, _ := e.store.GetEscalation(context.Background(), testTenant, 1); got.Note != "vendor on site at 2pm" || got.NoteBy != itLead.aad {
		t.Fatalf("note = %+v", got)
	}
	var put bool
	for _, c := range e.conn.take() {
		put = put || c.Method == http.MethodPut && c.ActivityID == esc.CardID && strings.Contains(c.text(), "vendor on site at 2pm")
	}
	if !put {
		t.Error("the card was not updated with the note")
	}
}

// TestReassignDialogUsesPeoplePicker: "Reassign…" opens a dialog whose
// person field is Teams' people picker (choices from the directory);
// the picked aad object id gets the escalation; a changed seal is refused.
func TestReassignDialogUsesPeoplePicker(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.do(e.command(opsConv, "channel", maria, "tag INC0012345 pos"))
	calls := e.do(e.command(opsConv, "channel", maria, "escalate INC0012345 tills down"))
	a := e.invoke(e.invokeAct(invokeTaskFetch, itConv, "channel", itLead, map[string]any{"data": cardButton(t, calls, "Reassign…")}))
	if !strings.Contains(a.Raw, `"choices":[],"choices.data":{"type":"Data.Query","dataset":"graph.microsoft.com/users"}`) {
		t.Fatalf("no people picker: %s", a.Raw)
	}
	if a.input(t, "assignee").Type != "Input.ChoiceSet" || a.input(t, "outcome").IsRequired {
		t.Fatalf("fields: %s", a.Raw)
	}
	forged := a.sealed(t)
	forged.Hidden = map[string]string{"escalation": "E-2"}
	if b := e.invoke(e.invokeAct(invokeTaskSubmit, itConv, "channel", itLead, map[string]any{
		"data": submission(forged, map[string]any{"assignee": "aad-li"})})); b.Type != "message" || b.Message != msgBadSeal {
		t.Fatalf("forged: %s", b.Raw)
	}
	b := e.invoke(e.invokeAct(invokeTaskSubmit, itConv, "channel", itLead, map[string]any{
		"data": submission(a.sealed(t), map[string]any{"assignee": "aad-li", "outcome": ""})}))
	if b.Type != "message" || !strings.Contains(b.Message, "E-1 is now assigned to") {
		t.Fatalf("reassign: %s", b.Raw)
	}
	if got, _ := e.store.GetEscalation(context.Background(), testTenant, 1); got.Assignee != "aad-li" {
		t.Fatalf("assignee %q", got.Assignee)
	}
}
