package escalation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/escalation"
)

// TestNoteFormFromCard: the card's "Add note" button opens the note form
// on that escalation; submitting it records the note exactly as
// /escalate note does (card updated, thread, everyone waiting told).
func TestNoteFormFromCard(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	if err := e.Core.Deliver(ctx, &commandstest.Poster{}, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	var note commands.Button
	for _, b := range r.Outgoing[1].Message.Buttons {
		if b.Label == "Add note" {
			note = b
		}
	}
	if note.Form != escalation.FormNote || note.Value != "E-1" {
		t.Fatalf("card has no Add note button: %+v", r.Outgoing[1].Message.Buttons)
	}
	esc, _ := e.St.GetEscalation(ctx, "T1", 1)
	open := e.Click("T1", "UIT", note.Action, note.Value, commands.MessageRef{Channel: esc.CardChannel, ID: esc.CardID})
	if open.Form == nil || open.Form.ID != escalation.FormNote {
		t.Fatalf("the button opens no note form: %s", commandstest.Text(open))
	}
	hidden := formValues(*open.Form)
	if hidden[escalation.FieldEscalation] != "E-1" || !strings.Contains(open.Form.Intro, "E-1") {
		t.Fatalf("form is not on E-1: %+v", open.Form)
	}
	hidden[escalation.FieldNote] = "vendor engineer on site at 2pm"
	req := commands.Request{Workspace: "T1", User: "UIT", Channel: "CIT"}
	resp, fe := e.Core.SubmitForm(ctx, req, escalation.FormNote, hidden)
	if fe != nil {
		t.Fatalf("refused: %v", fe)
	}
	e.Expect(resp, "Note added to E-1")
	var card bool
	for _, o := range resp.Outgoing {
		card = card || o.To.Update == esc.CardID && strings.Contains(commandstest.Text(o.Message), "Latest note: vendor engineer on site at 2pm (@UIT)")
	}
	if !card || len(resp.Outgoing) != 3 { // card, its thread, the raiser
		t.Fatalf("card not updated or waiting not told: %+v", resp.Outgoing)
	}
	got, _ := e.St.GetEscalation(ctx, "T1", 1)
	if got.Note != "vendor engineer on site at 2pm" || got.NoteBy != "UIT" {
		t.Fatalf("stored note %+v", got)
	}
}

// TestNoteFormRefusals: every bad submission is refused on a field with
// nothing written; a role refusal names the real grant command.
func TestNoteFormRefusals(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	it := commands.Request{Workspace: "T1", User: "UIT", Channel: "CIT"}
	before := e.AuditLen("T1")
	for _, c := range []struct {
		name  string
		req   commands.Request
		v     commands.FormValues
		field string
		want  string
	}{
		{"empty", it, commands.FormValues{"escalation": "E-1", "note": "   "}, "note", "Write the note."},
		{"oversize", it, commands.FormValues{"escalation": "E-1", "note": strings.Repeat("x", 3001)}, "note", "3001 characters; the limit is 3000"},
		{"unknown", it, commands.FormValues{"escalation": "E-9", "note": "hi"}, "escalation", "There is no escalation E-9"},
		{"tampered", it, commands.FormValues{"escalation": "<@U1>", "note": "hi"}, "escalation", "open it again from the card"},
		{"no role", commands.Request{Workspace: "T1", User: "UBIZ", UserName: "biz", Channel: "CSTORE"},
			commands.FormValues{"escalation": "E-1", "note": "any news?"}, "escalation", "/outcome grant @biz it-lead"},
	} {
		_, fe := e.Core.SubmitForm(ctx, c.req, escalation.FormNote, c.v)
		if !strings.Contains(fe[c.field], c.want) {
			t.Errorf("%s: errors %v, want %q on %s", c.name, fe, c.want, c.field)
		}
	}
	if e.AuditLen("T1") != before {
		t.Fatal("a refused note changed state")
	}
	e.Run("T1", "UIT", "CIT", "/resolve E-1 fixed")
	_, fe := e.Core.SubmitForm(ctx, it, escalation.FormNote, commands.FormValues{"escalation": "E-1", "note": "late"})
	if !strings.Contains(fe["escalation"], "E-1 is resolved") {
		t.Errorf("resolved: %v", fe)
	}
	open := e.Click("T1", "UIT", "form:note", "E-1", commands.MessageRef{})
	if open.Form != nil || !strings.Contains(open.Text, "E-1 is resolved") {
		t.Errorf("a resolved escalation's form opened: %s", commandstest.Text(open))
	}
	// Someone who may not act gets no form, and learns nothing of whether
	// the escalation exists.
	for _, id := range []string{"E-1", "E-9"} {
		open = e.Click("T1", "UBIZ", "form:note", id, commands.MessageRef{})
		if open.Form != nil || !strings.Contains(open.Text, "You need the it-lead or admin role to add notes") {
			t.Errorf("%s opened for a member: %s", id, commandstest.Text(open))
		}
	}
}

// TestAssignFormFromCard: "Reassign" opens a form with a person and an
// optional outcome; submitting runs /escalate assign (the new assignee
// told once in the thread; with an outcome, the card moves); bad people,
// outcomes and callers are refused on their fields, nothing written.
func TestAssignFormFromCard(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Stores online" it=<@UOWN|own> it-channel=<#CINFRA|it-infra>`)
	ctx := context.Background()
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	if err := e.Core.Deliver(ctx, &commandstest.Poster{}, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	open := e.Click("T1", "UIT", "form:assign", "E-1", commands.MessageRef{})
	if open.Form == nil || open.Form.ID != escalation.FormAssign {
		t.Fatalf("no reassign form: %s", commandstest.Text(open))
	}
	kinds := map[string]commands.FieldKind{}
	for _, f := range open.Form.Fields {
		kinds[f.Name] = f.Kind
	}
	if kinds["assignee"] != commands.FieldUser || kinds["outcome"] != commands.FieldSelect || kinds["escalation"] != commands.FieldHidden {
		t.Fatalf("fields %+v", open.Form.Fields)
	}
	it := commands.Request{Workspace: "T1", User: "UIT", UserName: "it", Channel: "CIT"}
	biz := commands.Request{Workspace: "T1", User: "UBIZ", UserName: "biz", Channel: "CSTORE"}
	before := e.AuditLen("T1")
	for _, c := range []struct {
		name  string
		req   commands.Request
		v     commands.FormValues
		field string
		want  string
	}{
		{"nobody", it, commands.FormValues{"escalation": "E-1"}, "assignee", "Pick the person"},
		{"not a person", it, commands.FormValues{"escalation": "E-1", "assignee": "li smith"}, "assignee", "not a person I know"},
		{"unknown outcome", it, commands.FormValues{"escalation": "E-1", "assignee": "ULI", "outcome": "nope"}, "outcome", "nope"},
		{"no role", biz, commands.FormValues{"escalation": "E-1", "assignee": "ULI"}, "escalation", "/outcome grant @biz it-lead"},
		{"unknown escalation", it, commands.FormValues{"escalation": "E-7", "assignee": "ULI"}, "escalation", "There is no escalation E-7"},
	} {
		_, fe := e.Core.SubmitForm(ctx, c.req, escalation.FormAssign, c.v)
		if !strings.Contains(fe[c.field], c.want) {
			t.Errorf("%s: errors %v, want %q on %s", c.name, fe, c.want, c.field)
		}
	}
	if e.AuditLen("T1") != before {
		t.Fatal("a refused reassign changed state")
	}
	resp, fe := e.Core.SubmitForm(ctx, it, escalation.FormAssign, commands.FormValues{"escalation": "E-1", "assignee": "ULI"})
	if fe != nil {
		t.Fatal(fe)
	}
	e.Expect(resp, "E-1 is now assigned to @ULI")
	mentions := 0
	for _, o := range resp.Outgoing {
		if o.To.Update == "" {
			mentions += strings.Count(o.Message.Text, commands.Mention("ULI"))
		}
	}
	if mentions != 1 {
		t.Errorf("new assignee mentioned %d times outside the card: %+v", mentions, resp.Outgoing)
	}
	resp, fe = e.Core.SubmitForm(ctx, it, escalation.FormAssign, commands.FormValues{"escalation": "E-1", "assignee": "UOWN", "outcome": "infra"})
	if fe != nil {
		t.Fatal(fe)
	}
	e.Expect(resp, "E-1 moved to infra and assigned to @UOWN")
	// infra's IT owner holds no role but may act on its escalations.
	if open := e.Click("T1", "UOWN", "form:note", "E-1", commands.MessageRef{}); open.Form == nil {
		t.Errorf("the IT owner cannot open the note form: %s", commandstest.Text(open))
	}
	got, _ := e.St.GetEscalation(ctx, "T1", 1)
	if got.Assignee != "UOWN" || got.Outcome != "infra" {
		t.Fatalf("stored %+v", got)
	}
}

// formValues are a form's prefilled values, as an adapter would send them.
func formValues(f commands.Form) commands.FormValues {
	v := commands.FormValues{}
	for _, fld := range f.Fields {
		if fld.Value != "" {
			v[fld.Name] = fld.Value
		}
	}
	return v
}
