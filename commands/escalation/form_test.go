package escalation_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/escalation"
)

func formReq(user, channel string) commands.Request {
	return commands.Request{Workspace: "T1", User: user, Channel: channel, Command: "/escalate"}
}

// TestEscalateWithNoArgumentsOpensTheForm: /escalate alone answers with the
// form (outcomes to pick, optional ticket, reason, where to announce), and
// a text that says what to type where no form can open.
func TestEscalateWithNoArgumentsOpensTheForm(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Infrastructure"`)
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate")
	if r.Form == nil {
		t.Fatalf("no form: %s", commandstest.Text(r))
	}
	f := r.Form
	if f.ID != escalation.FormEscalate || len(f.Fields) != 4 {
		t.Fatalf("form: %+v", f)
	}
	if got := f.Fields[0].Options; len(got) != 2 || got[0].Value != "infra" || got[1].Label != "Point of sale (pos)" {
		t.Errorf("outcome options: %+v", got)
	}
	if f.Fields[1].Name != escalation.FieldTicket || !f.Fields[1].Optional {
		t.Errorf("ticket field: %+v", f.Fields[1])
	}
	if f.Fields[2].Name != escalation.FieldReason || f.Fields[2].Optional || f.Fields[2].MaxLen != 3000 {
		t.Errorf("reason field: %+v", f.Fields[2])
	}
	if f.Fields[3].Kind != commands.FieldChannel || f.Fields[3].Value != "CSTORE" {
		t.Errorf("channel field defaults to the current channel: %+v", f.Fields[3])
	}
	e.Expect(r, "Which outcome is blocked", "Active outcomes: infra, pos.")
}

// TestEscalationFormRefusesFieldByField: each wrong field is named on its
// own, and nothing is raised.
func TestEscalationFormRefusesFieldByField(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CGEN", `/outcome add old "Old work"`)
	e.Run("T1", "UADMIN", "CGEN", `/outcome archive old`)
	ctx := context.Background()
	cases := []struct {
		name  string
		v     commands.FormValues
		field string
		want  string
	}{
		{"no outcome", commands.FormValues{"reason": "tills down"}, "outcome", "Pick the outcome"},
		{"archived meanwhile", commands.FormValues{"outcome": "old", "reason": "tills down"}, "outcome", "old was archived meanwhile"},
		{"unknown outcome", commands.FormValues{"outcome": "nope", "reason": "tills down"}, "outcome", "No outcome nope"},
		{"empty reason", commands.FormValues{"outcome": "pos", "reason": "  \x00 "}, "reason", "Say what is blocked"},
		{"oversize reason", commands.FormValues{"outcome": "pos", "reason": strings.Repeat("x", 3001)}, "reason", "3001 characters; the limit is 3000"},
		{"only mentions", commands.FormValues{"outcome": "pos", "reason": "<@U123> <!channel> @sam"}, "reason", "Say in words"},
		{"not a ticket", commands.FormValues{"outcome": "pos", "ticket": "TILLS", "reason": "tills down"}, "ticket", "TILLS doesn't look like a ticket"},
		{"bad channel", commands.FormValues{"outcome": "pos", "reason": "tills down", "channel": "C1 <@U1>"}, "channel", "Pick a channel"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, fe := e.Core.SubmitForm(ctx, formReq("UBIZ", "CSTORE"), escalation.FormEscalate, tc.v)
			if !strings.Contains(fe[tc.field], tc.want) {
				t.Fatalf("errors %v, want %q on %s", fe, tc.want, tc.field)
			}
		})
	}
	if _, err := e.St.GetEscalation(ctx, "T1", 1); err == nil {
		t.Fatal("a refused form raised an escalation")
	}
}

// TestEscalationFormRaisesLikeTheCommand: a good submission raises E-1
// exactly as /escalate would, announced in the picked channel, keeping the
// message it came from; the card links back to that message.
func TestEscalationFormRaisesLikeTheCommand(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	resp, fe := e.Core.SubmitForm(ctx, formReq("UBIZ", "CSTORE"), escalation.FormEscalate, commands.FormValues{
		"outcome": "POS", "ticket": "inc0012345.", "reason": "tills down\x1b[31m in Leeds \u202e", "channel": "CLEEDS",
		"message_link": "https://acme.slack.com/archives/CLEEDS/p1700000000000100", "message_by": "UAUTHOR",
	})
	if fe != nil {
		t.Fatalf("refused: %v", fe)
	}
	e.Expect(resp, "E-1 raised for INC0012345", "→ pos")
	got, err := e.St.GetEscalation(ctx, "T1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Ref != "INC0012345" || got.RaisedIn != "CLEEDS" || got.Reason != "tills down[31m in Leeds" ||
		got.MessageLink != "https://acme.slack.com/archives/CLEEDS/p1700000000000100" || got.MessageBy != "UAUTHOR" {
		t.Errorf("raised: %+v", got)
	}
	var card commands.Response
	for _, o := range resp.Outgoing {
		if o.To.Channel == "CIT" {
			card = o.Message
		}
		if o.To.Channel == "CLEEDS" && o.Person != "UBIZ" {
			t.Errorf("the announcement is for the raiser, to reach them directly if the channel refuses it: %+v", o)
		}
	}
	e.Expect(card, "From: the message it was raised on")

	// The same request escalated again by form joins E-1.
	again, fe := e.Core.SubmitForm(ctx, formReq("USAM", "CHULL"), escalation.FormEscalate, commands.FormValues{
		"outcome": "pos", "ticket": "INC0012345", "reason": "Hull too"})
	if fe != nil {
		t.Fatal(fe)
	}
	e.Expect(again, "already escalated as E-1")
}

// TestEscalationFormIgnoresUnsafeHiddenValues: a hidden message link that
// is no https URL is dropped, not stored.
func TestEscalationFormIgnoresUnsafeHiddenValues(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	_, fe := e.Core.SubmitForm(ctx, formReq("UBIZ", "CSTORE"), escalation.FormEscalate, commands.FormValues{
		"outcome": "pos", "reason": "tills", "message_link": "javascript:alert(1)", "message_by": "U1"})
	if fe != nil {
		t.Fatal(fe)
	}
	got, _ := e.St.GetEscalation(ctx, "T1", 1)
	if got.MessageLink != "" || got.MessageBy != "" {
		t.Errorf("unsafe link kept: %+v", got)
	}
}

// TestEscalationFormSuggestsOutcomes: with more than 100 outcomes the
// select becomes type-ahead; suggestions match key or title.
func TestEscalationFormSuggestsOutcomes(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	for i := range 101 {
		e.Run("T1", "UADMIN", "CGEN", fmt.Sprintf(`/outcome add store%03d "Store %03d tills"`, i, i))
	}
	ctx := context.Background()
	r := e.Core.OpenForm(ctx, formReq("UBIZ", "CSTORE"), escalation.FormEscalate, nil)
	if r.Form == nil || !r.Form.Fields[0].Suggest || len(r.Form.Fields[0].Options) != 0 {
		t.Fatalf("with 102 outcomes the outcome field should suggest: %+v", r.Form)
	}
	got := e.Core.SuggestForm(ctx, formReq("UBIZ", "CSTORE"), escalation.FormEscalate, "outcome", "Store 04")
	if len(got) != 10 || got[0].Value != "store040" {
		t.Errorf("suggestions for 'Store 04': %+v", got)
	}
	if all := e.Core.SuggestForm(ctx, formReq("UBIZ", "CSTORE"), escalation.FormEscalate, "outcome", ""); len(all) != 100 {
		t.Errorf("empty query: %d suggestions, want the first 100", len(all))
	}
}

// TestConcurrentFormSubmissionsRaiseOne: 50 people submitting the same
// ticket at once produce exactly one E-n; the others join it.
func TestConcurrentFormSubmissionsRaiseOne(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			_, fe := e.Core.SubmitForm(ctx, formReq(fmt.Sprintf("U%03d", i), "CSTORE"), escalation.FormEscalate,
				commands.FormValues{"outcome": "pos", "ticket": "INC0012345", "reason": "tills down"})
			if fe != nil {
				t.Error(fe)
			}
		})
	}
	wg.Wait()
	if _, err := e.St.GetEscalation(ctx, "T1", 2); err == nil {
		t.Fatal("50 concurrent submissions raised more than one escalation")
	}
	if _, err := e.St.GetEscalation(ctx, "T1", 1); err != nil {
		t.Fatal(err)
	}
}

// TestNoticesReachThePersonDirectly: when the raiser's channel cannot take
// the announcement (the bot is not in it), the raise still happens once,
// the card is posted, and the raiser gets the announcement in their direct
// message; later the acknowledgement notice follows them there, and the IT
// lead who clicked sees no error.
func TestNoticesReachThePersonDirectly(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	p := &commandstest.Poster{Fail: func(to commands.Destination) error {
		if to.Channel == "CPRIVATE" {
			return fmt.Errorf("not_in_channel: %w", commands.ErrUndeliverable)
		}
		return nil
	}}
	r := e.Run("T1", "UBIZ", "CPRIVATE", "/escalate INC0012345 tills down")
	if err := e.Core.Deliver(ctx, p, r.Outgoing); err != nil {
		t.Fatalf("a notice that reached its person by DM is no failure: %v", err)
	}
	posts := p.Posts()
	if len(posts) != 2 || posts[0].To.Channel != "UBIZ" || posts[1].To.Channel != "CIT" {
		t.Fatalf("want the announcement in UBIZ's DM and the card in CIT: %+v", posts)
	}
	e.Expect(posts[0].Message, "I could not post this in #CPRIVATE, so it comes to you here.")
	p.Reset()
	ack := e.Run("T1", "UIT", "CIT", "/ack E-1")
	if err := e.Core.Deliver(ctx, p, ack.Outgoing); err != nil {
		t.Fatalf("ack delivery: %v", err)
	}
	found := false
	for _, post := range p.Posts() {
		if post.To.Channel == "UBIZ" && strings.Contains(commandstest.Text(post.Message), "was acknowledged by @UIT") {
			found = true
		}
	}
	if !found {
		t.Errorf("the acknowledgement did not reach the raiser: %+v", p.Posts())
	}
}

// TestEscalateWithALinkThatNamesNoNumber: a ServiceNow address that names
// only a sys_id is kept as the escalation's link, shown on the card, and is
// neither its ticket nor part of its reason.
func TestEscalateWithALinkThatNamesNoNumber(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	url := "https://acme.service-now.com/incident.do?sys_id=9d385017c611228701d22104cc95c371"
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate "+url+" outcome=pos tills down")
	e.Expect(r, "E-1 raised for (no ticket yet) → pos")
	got, err := e.St.GetEscalation(context.Background(), "T1", 1)
	if err != nil || got.Link != url || got.Ref != "" || got.Reason != "tills down" {
		t.Fatalf("escalation: %+v %v", got, err)
	}
	for _, o := range r.Outgoing {
		if o.To.Channel == "CIT" {
			e.Expect(o.Message, "Link: "+url)
		}
	}
}

// TestReassignFormWithNoActiveOutcome: when no outcome is active the
// Reassign form has no outcome field (a select of no options, which Slack
// refuses), only the person.
func TestReassignFormWithNoActiveOutcome(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome archive pos"), "archived")
	r := e.Core.OpenForm(context.Background(), commands.Request{Workspace: "T1", User: "UADMIN", Channel: "CIT"},
		escalation.FormAssign, commands.FormValues{commands.ButtonValue: "E-1"})
	if r.Form == nil {
		t.Fatalf("no form: %s", commandstest.Text(r))
	}
	for _, f := range r.Form.Fields {
		if f.Name == escalation.FieldOutcome {
			t.Errorf("outcome field with %d options and no active outcome", len(f.Options))
		}
	}
}
