package escalation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/escalation"
	"github.com/outcomebot/outcomebot/store/record"
)

// buttonsOf lists a section's buttons as "Label=action:value".
func buttonsOf(s commands.Section) string {
	var out []string
	for _, b := range s.Buttons {
		out = append(out, b.Label+"="+b.Action+":"+b.Value)
	}
	return strings.Join(out, " ")
}

// TestQueueEntryActions: each entry of the IT owner's list carries its
// actions (Acknowledge only while open); someone who may not act sees no
// buttons; Acknowledge from the list answers the clicker and updates the
// card where it is (not the list); a stranger's press is refused and
// changes nothing; Reassign says the command.
func TestQueueEntryActions(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	e.Run("T1", "UADMIN", "CGEN", "/tag INC0012346 pos")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012346 printer down")
	e.Run("T1", "UIT", "CIT", "/ack E-2")

	r := e.Run("T1", "UIT", "CIT", "/escalate list")
	if len(r.Sections) != 2 {
		t.Fatalf("%d entries: %+v", len(r.Sections), r.Sections)
	}
	if got, want := buttonsOf(r.Sections[0]), "Acknowledge=queue_ack:E-1 Resolve=queue_resolve:E-1 Snooze 1h=snooze:E-1 1h Snooze 4h=snooze:E-1 4h Until morning=snooze:E-1 morning Reassign=form:assign:E-1"; got != want {
		t.Errorf("open entry buttons:\n got %s\nwant %s", got, want)
	}
	if got := buttonsOf(r.Sections[1]); strings.Contains(got, "Acknowledge") || !strings.Contains(got, "Resolve=queue_resolve:E-2") {
		t.Errorf("acknowledged entry buttons: %s", got)
	}
	raised := e.Run("T1", "UBIZ", "CSTORE", "/escalate list")
	for _, s := range raised.Sections {
		if len(s.Buttons) > 0 {
			t.Errorf("the raiser, who may not act, gets buttons: %s", buttonsOf(s))
		}
	}

	src := commands.MessageRef{Channel: "CIT", ID: "ephemeral-list"}
	refused := e.Click("T1", "USAM", escalation.ActionEntryAck, "E-1", src)
	e.Expect(refused, "/outcome grant @USAM it-lead")
	if esc, _ := e.St.GetEscalation(context.Background(), "T1", 1); esc.State != record.StateOpen {
		t.Fatalf("a refused press changed E-1: %s", esc.State)
	}
	if err := e.St.SetEscalationMessage(context.Background(), "T1", 1, commands.TrackCard, "CIT", "1764000000.000001"); err != nil {
		t.Fatal(err)
	}
	before, _ := e.St.GetEscalation(context.Background(), "T1", 1)
	ack := e.Click("T1", "UIT", escalation.ActionEntryAck, "E-1", src)
	e.Expect(ack, "You acknowledged E-1")
	if ack.Replace {
		t.Error("a press on the list replaces the list with the card")
	}
	var card bool
	for _, o := range ack.Outgoing {
		if o.To.Update == before.CardID && o.To.Channel == before.CardChannel && before.CardID != "" {
			card = true
		}
	}
	if !card {
		t.Errorf("the card is not updated: %+v", ack.Outgoing)
	}
	e.Expect(e.Click("T1", "UIT", escalation.ActionEntryResolve, "E-1", src), "You resolved E-1")
	e.Expect(e.Click("T1", "UIT", escalation.ActionEntryAssign, "E-2", src), "/escalate assign E-2 @person")
	e.Expect(e.Click("T1", "UIT", escalation.ActionEntryAssign, "nonsense", src), "E-")
}

// TestHomeQueue: the home view of an IT owner starts with their queue,
// overdue first, each entry with its buttons; outcomes they own say how
// many escalations are open; a raiser sees what they raised, no buttons.
func TestHomeQueue(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	e.Clock.Advance(5 * time.Hour) // past the 4h SLA
	e.Run("T1", "UADMIN", "CGEN", "/tag INC0012346 pos")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012346 printer down")
	ctx := context.Background()

	it, err := e.Core.Home(ctx, "T1", "UIT", e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.Expect(it, "Your queue (2)", "pos Point of sale · IT owner", "2 open escalations: /escalate list open outcome=pos")
	if !strings.HasPrefix(commands.PlainText(it.Sections[0].Text), "E-1 ") || !strings.Contains(commands.PlainText(it.Sections[0].Text), "overdue by 1h") {
		t.Errorf("first entry: %s", it.Sections[0].Text)
	}
	if !strings.Contains(buttonsOf(it.Sections[0]), "Acknowledge=queue_ack:E-1") {
		t.Errorf("queue entry without buttons: %s", buttonsOf(it.Sections[0]))
	}

	biz, err := e.Core.Home(ctx, "T1", "UBIZ", e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.Expect(biz, "Your queue\nNothing waits on you.", "Open escalations you raised", "E-2 INC0012346")
	for _, s := range biz.Sections {
		if len(s.Buttons) > 0 {
			t.Errorf("the raiser's home has buttons: %s", buttonsOf(s))
		}
	}
}

// TestEscalationWatchers: every change tells the watchers whom it
// concerns: the raiser, the assignee and the outcome's IT owner.
func TestEscalationWatchers(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	var got []string
	e.Core.WatchEscalations(func(ws string, users []string) { got = append(got, ws+":"+strings.Join(users, ",")) })
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	e.Run("T1", "UIT", "CIT", "/escalate assign E-1 <@ULI|li>")
	e.Run("T1", "UIT", "CIT", "/escalate snooze E-1 1h")
	e.Run("T1", "UIT", "CIT", "/escalate note E-1 on it")
	e.Run("T1", "UIT", "CIT", "/ack E-1")
	e.Run("T1", "UIT", "CIT", "/resolve E-1")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate reopen E-1 back again")
	want := []string{"T1:UBIZ,UIT", "T1:UBIZ,ULI,UIT", "T1:UBIZ,ULI,UIT", "T1:UBIZ,ULI,UIT", "T1:UBIZ,ULI,UIT", "T1:UBIZ,ULI,UIT", "T1:UBIZ,ULI,UIT"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("watchers told\n %v\nwant %v", got, want)
	}
}
