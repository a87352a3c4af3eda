package outcome_test

import (
	"context"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/outcome"
	"github.com/outcomebot/outcomebot/store/record"
)

// TestOutcomeKPIRecords: the business owner records values with a unit and
// a note; /outcome kpi <key> lists them; an admin may record too.
func TestOutcomeKPIRecords(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos, business owner UBIZ
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome kpi pos 3.1%"), "Recorded 3.1% for pos.")
	e.Clock.Advance(7 * 24 * time.Hour)
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome kpi pos 3.5% after the Leeds rollout, a=b"),
		"Recorded 3.5% for pos (previous: 3.1% on 16 Nov 2026).")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome kpi POS 3,600.25%"), "Recorded 3600.25% for pos")
	r := e.Run("T1", "UIT", "CGEN", "/outcome kpi pos")
	e.Expect(r, "in-store conversion: 3 values kept, newest first.", "23 Nov 2026: 3.5% by @UBIZ — after the Leeds rollout, a=b", "16 Nov 2026: 3.1% by @UBIZ")
	got, err := e.St.OutcomeKPIs(context.Background(), "T1", []string{"pos"}, time.Time{})
	if err != nil || len(got["pos"].Values) != 3 {
		t.Fatalf("stored values = %+v, %v", got, err)
	}
	e.Expect(e.Run("T1", "UIT", "CGEN", "/outcome kpi infra"), "No outcome infra")
}

// TestOutcomeKPIRefusals: not a number, another unit, someone who is not
// the owner, an archived or unknown outcome: each answered clearly, and
// nothing is recorded.
func TestOutcomeKPIRefusals(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UBIZ", "CGEN", "/outcome kpi pos £1.2m")
	before := e.AuditLen("T1")
	for _, c := range []struct{ user, line, want string }{
		{"UBIZ", "/outcome kpi pos lots", "`lots` is not a KPI value: write a number, with its unit right after it or a currency sign before it, e.g. /outcome kpi pos 3.5%"},
		{"UBIZ", "/outcome kpi pos 1.2.3", "not a KPI value"},
		{"UBIZ", "/outcome kpi pos NaN", "not a KPI value"},
		{"UBIZ", "/outcome kpi pos 1e400", "not a KPI value"},
		{"UBIZ", "/outcome kpi pos 1.4%", "pos's earlier values are in £…m (latest £1.2m on 16 Nov 2026); 1.4% is not. Write it in the same unit, e.g. /outcome kpi pos £1.4m."},
		{"UIT", "/outcome kpi pos £1.3m", "You need the admin role, or to be the business owner of pos (@UBIZ), to record its KPI value. Ask them or an admin (@UADMIN) to run /outcome kpi pos £1.3m."},
		{"UBIZ", "/outcome kpi nope 3", "No outcome nope"},
		{"UBIZ", "/outcome kpi pos 1.3 %", "Write the unit right after the number, with no space: /outcome kpi pos 1.3%."},
	} {
		e.Expect(e.Run("T1", c.user, "CGEN", c.line), c.want)
	}
	e.Run("T1", "UADMIN", "CGEN", "/outcome archive pos")
	before++
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome kpi pos £1.3m"), "Outcome pos is archived, so it takes no KPI values or confirmations. An admin can bring it back with /outcome restore pos.")
	if after := e.AuditLen("T1"); after != before {
		t.Errorf("refusals changed state: audit %d → %d", before, after)
	}
	got, _ := e.St.OutcomeKPIs(context.Background(), "T1", []string{"pos"}, time.Time{})
	if n := len(got["pos"].Values); n != 1 {
		t.Errorf("values after refusals = %d, want 1", n)
	}
	// No business owner: only an admin, and the answer says how to name one.
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Infrastructure"`)
	e.Expect(e.Run("T1", "UIT", "CGEN", "/outcome kpi infra 3"), "You need the admin role to record its KPI value: infra has no business owner. Ask an admin (@UADMIN) to run /outcome kpi infra 3, or to name its owner with /outcome set infra owner=@user.")
}

// TestCheckInButtons: Yes confirms and Archive archives, for the business
// owner or an admin only; a second Archive or a Yes after it changes nothing.
func TestCheckInButtons(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	src := commands.MessageRef{Channel: "DUBIZ", ID: "m1"}
	e.Expect(e.Click("T1", "UIT", outcome.ActionConfirm, "pos", src), "You need the admin role, or to be the business owner of pos (@UBIZ), to confirm it is still a priority. Ask them or an admin (@UADMIN) to run /outcome confirm pos.")
	e.Expect(e.Click("T1", "UBIZ", outcome.ActionConfirm, "pos", src), "Thanks: pos is still a priority (confirmed 16 Nov 2026).")
	got, _ := e.St.OutcomeKPIs(context.Background(), "T1", []string{"pos"}, time.Time{})
	if k := got["pos"]; k.ConfirmedBy != "UBIZ" || !k.ConfirmedAt.Equal(e.Clock.Now()) {
		t.Fatalf("confirmation = %+v", k)
	}
	e.Expect(e.Click("T1", "UIT", outcome.ActionArchive, "pos", src), "You need the admin role, or to be the business owner of pos (@UBIZ), to archive it.")
	if o, _ := e.St.GetOutcome(context.Background(), "T1", "pos"); o.Status != record.OutcomeActive {
		t.Fatalf("a refused archive archived pos")
	}
	e.Expect(e.Click("T1", "UBIZ", outcome.ActionArchive, "pos", src), "Outcome pos archived")
	if o, _ := e.St.GetOutcome(context.Background(), "T1", "pos"); o.Status != record.OutcomeArchived {
		t.Fatalf("pos not archived by its owner's click")
	}
	before := e.AuditLen("T1")
	e.Expect(e.Click("T1", "UBIZ", outcome.ActionArchive, "pos", src), "Outcome pos is already archived; nothing changed.")
	e.Expect(e.Click("T1", "UBIZ", outcome.ActionConfirm, "pos", src), "Outcome pos is archived")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome confirm pos"), "Outcome pos is archived")
	if after := e.AuditLen("T1"); after != before {
		t.Errorf("clicks on an archived outcome changed state: audit %d → %d", before, after)
	}
}
