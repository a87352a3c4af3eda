package intake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/store/record"
)

// posted collects what an announcing intake delivers.
type posted struct{ outs []commands.Outgoing }

func (p *posted) deliver(_ context.Context, _ string, outs []commands.Outgoing) error {
	p.outs = append(p.outs, outs...)
	return nil
}

// take returns the texts posted by one call, by destination.
func (p *posted) take() map[string]string {
	got := map[string]string{}
	for _, o := range p.outs {
		key := o.To.Channel
		if o.To.Update != "" {
			key += " update " + o.To.Update
		}
		got[key] += commandstest.Text(o.Message)
	}
	p.outs = nil
	return got
}

// itsmEnv seeds E-1 on INC0012345 (raised in CSTORE by UREQ, its card m1
// in CIT, joined from CSHOP by UOTHER) and announces intake changes to p.
func itsmEnv(t *testing.T) (*env, *posted) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	e.Expect(e.Run("T1", "UREQ", "CSTORE", "/escalate INC0012345 tills down in store 12"), "E-1")
	e.Expect(e.Run("T1", "UOTHER", "CSHOP", "/escalate INC0012345 our tills too"), "already escalated")
	if err := e.St.SetEscalationMessage(ctx, "T1", 1, commands.TrackCard, "CIT", "m1"); err != nil {
		t.Fatal(err)
	}
	p := &posted{}
	e.Intake.Announce(e.Escalations, p.deliver, nil)
	return e, p
}

// TestITSMClosingTheTicketResolvesItsEscalation: an intake update that
// closes a ticket resolves its open escalation as the ITSM, updates the
// card and tells the raiser and everyone waiting; the same update again
// does nothing.
func TestITSMClosingTheTicketResolvesItsEscalation(t *testing.T) {
	e, p := itsmEnv(t)
	ctx := context.Background()
	e.Clock.Advance(time.Hour)
	closed := intake.Item{Ref: "INC0012345", Status: "Resolved", Source: record.SourceServiceNow}
	res := intakeItems(e, intake.Options{}, closed)
	if res[0].Escalation != "E-1" || res[0].EscalationChange != record.EscalationResolved {
		t.Fatalf("result = %+v, want E-1 resolved", res[0])
	}
	esc, err := e.St.GetEscalation(ctx, "T1", 1)
	if err != nil || esc.State != record.StateResolved || esc.ResolvedBy != "itsm:servicenow" || esc.ResolveNote != "closed in ServiceNow as Resolved" {
		t.Fatalf("E-1 = %+v, %v", esc, err)
	}
	got := p.take()
	if card := got["CIT update m1"]; !strings.Contains(card, "Resolved by ServiceNow at") || !strings.Contains(card, "Latest note: closed in ServiceNow as Resolved") {
		t.Errorf("card not updated as resolved by the ITSM:\n%s", card)
	}
	if s := got["CSTORE"]; !strings.Contains(s, "@UREQ your escalation E-1 (INC0012345") || !strings.Contains(s, "was resolved by ServiceNow.") || !strings.Contains(s, "Note: closed in ServiceNow as Resolved") {
		t.Errorf("raiser not told:\n%v", got)
	}
	if s := got["CSHOP"]; !strings.Contains(s, "which you also raised, was resolved by ServiceNow") {
		t.Errorf("joiner not told:\n%v", got)
	}
	for k, s := range got {
		if strings.Contains(s, "@itsm") {
			t.Errorf("%s names the ITSM as a user: %s", k, s)
		}
	}
	before := e.AuditLen("T1")
	res = intakeItems(e, intake.Options{}, closed)
	if res[0].Result != intake.ResultUnchanged || res[0].Escalation != "" || len(p.outs) > 0 || e.AuditLen("T1") != before {
		t.Errorf("the same update twice changed something: %+v, %d messages", res[0], len(p.outs))
	}
	// A ticket update that is not a close (a title) moves nothing.
	res = intakeItems(e, intake.Options{}, intake.Item{Ref: "INC0012345", Title: "Tills", Source: record.SourceServiceNow})
	if res[0].Escalation != "" || len(p.outs) > 0 {
		t.Errorf("a title change moved the escalation: %+v", res[0])
	}
}

// TestITSMReopeningTheTicketReopensItsEscalation: a reopened ticket
// reopens its resolved escalation (same E-n, open again) within 14 days,
// once; after the window, or for a withdrawn one, it stays resolved.
func TestITSMReopeningTheTicketReopensItsEscalation(t *testing.T) {
	e, p := itsmEnv(t)
	ctx := context.Background()
	e.Run("T1", "UIT", "CIT", "/resolve E-1 reader firmware rolled back")
	intakeItems(e, intake.Options{}, intake.Item{Ref: "INC0012345", Status: "Closed", Source: record.SourceJira})
	p.take() // the ticket was already resolved in chat: nothing to say
	e.Clock.Advance(48 * time.Hour)
	reopen := intake.Item{Ref: "INC0012345", Status: "In Progress", Source: record.SourceJira}
	res := intakeItems(e, intake.Options{}, reopen)
	if res[0].Escalation != "E-1" || res[0].EscalationChange != record.EscalationReopened {
		t.Fatalf("result = %+v, want E-1 reopened", res[0])
	}
	esc, err := e.St.GetEscalation(ctx, "T1", 1)
	if err != nil || esc.State != record.StateOpen || esc.ReopenedBy != "itsm:jira" || esc.Reopens != 1 || !esc.ReopenedAt.Equal(e.Clock.Now()) {
		t.Fatalf("E-1 = %+v, %v", esc, err)
	}
	got := p.take()
	if card := got["CIT update m1"]; !strings.Contains(card, "Reopened by Jira at") {
		t.Errorf("card not reopened:\n%v", got)
	}
	if s := got["CIT"]; !strings.Contains(s, "Jira reopened E-1: reopened in Jira (In Progress)") {
		t.Errorf("no line in the card's thread:\n%v", got)
	}
	if !strings.Contains(got["CSTORE"], "Jira reopened E-1") || !strings.Contains(got["CSHOP"], "Jira reopened E-1") {
		t.Errorf("those waiting not told:\n%v", got)
	}
	if res := intakeItems(e, intake.Options{}, reopen); res[0].Escalation != "" || len(p.outs) > 0 {
		t.Errorf("reopening twice: %+v", res[0])
	}

	// Closed again, reopened 15 days later: too late, the escalation stays.
	intakeItems(e, intake.Options{}, intake.Item{Ref: "INC0012345", Status: "Done", Source: record.SourceJira})
	e.Clock.Advance(15 * 24 * time.Hour)
	p.take()
	res = intakeItems(e, intake.Options{}, reopen)
	if res[0].Result != intake.ResultUpdated || res[0].Escalation != "" || len(p.outs) > 0 {
		t.Errorf("reopened after the window: %+v", res[0])
	}
	if esc, _ := e.St.GetEscalation(ctx, "T1", 1); esc.State != record.StateResolved {
		t.Errorf("E-1 after a late reopen = %s", esc.State)
	}
}

// TestITSMCloseByCSVImport: a spreadsheet row closing the ticket resolves
// the escalation too, and the import's summary lists it (an import posts
// nothing in chat).
func TestITSMCloseByCSVImport(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Expect(e.Run("T1", "UREQ", "CSTORE", "/escalate INC0012345 tills down"), "E-1")
	csv := "ticket,status\nINC0012345,Closed Complete\n"
	sum, err := e.Intake.ImportCSV(context.Background(), "T1", strings.NewReader(csv), intake.ImportOptions{Name: "tickets.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Escalations) != 1 || sum.Escalations[0].Reason != "E-1 resolved" || sum.Escalations[0].Line != 2 {
		t.Fatalf("summary escalations = %+v", sum.Escalations)
	}
	esc, err := e.St.GetEscalation(context.Background(), "T1", 1)
	if err != nil || esc.State != record.StateResolved || esc.ResolvedBy != "itsm:csv" || esc.ResolveNote != "closed in a spreadsheet as Closed Complete" {
		t.Fatalf("E-1 = %+v, %v", esc, err)
	}
}
