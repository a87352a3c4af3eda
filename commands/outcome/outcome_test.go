package outcome_test

import (
	"context"
	"testing"

	"github.com/outcomebot/outcomebot/store/record"
)

// TestOutcomeRestore: an archived outcome can be restored by an admin and
// then takes tags again; restoring an active one changes nothing.
func TestOutcomeRestore(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome help"), "/outcome restore <key>")
	e.Run("T1", "UADMIN", "CGEN", "/outcome archive pos")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag OPS-1 pos"), "is archived")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome restore pos"), "Outcome pos restored")
	if o, err := e.St.GetOutcome(ctx, "T1", "pos"); err != nil || o.Status != record.OutcomeActive || o.ITOwner != "UIT" {
		t.Fatalf("pos after restore = %+v, %v; want active with its IT owner", o, err)
	}
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag OPS-1 pos"), "OPS-1 → pos")
	before := e.AuditLen("T1")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome restore pos"), "Outcome pos is already active; nothing changed.")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome restore"), "Usage: /outcome restore <key>")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome restore nope"), "No outcome nope")
	if after := e.AuditLen("T1"); after != before {
		t.Errorf("restoring an active outcome changed state: audit %d → %d", before, after)
	}
}

// TestOutcomeSetNoneClears: none clears an optional field of an outcome in
// one change; the title cannot be cleared, and nothing changes then.
func TestOutcomeSetNoneClears(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos: kpi, owner UBIZ, it UIT, it-channel CIT
	ctx := context.Background()
	e.Run("T1", "UADMIN", "CGEN", "/outcome set pos sla=2h")
	before := e.AuditLen("T1")
	r := e.Run("T1", "UADMIN", "CGEN", "/outcome set pos owner=none it=NONE it-channel=none kpi=none sla=none")
	e.Expect(r, "Outcome pos updated (owner cleared, it cleared, it-channel cleared, kpi cleared, sla cleared: the default 4h applies).")
	o, err := e.St.GetOutcome(ctx, "T1", "pos")
	if err != nil || o.Owner != "" || o.ITOwner != "" || o.ITChannel != "" || o.KPI != "" || o.SLA != 0 || o.Title != "Point of sale" {
		t.Fatalf("pos after clearing = %+v, %v", o, err)
	}
	if after := e.AuditLen("T1"); after != before+1 {
		t.Errorf("clearing five fields took %d changes, want one", after-before)
	}
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome show pos"), "KPI: —", "Business owner: —", "IT owner: —", "IT channel: —", "Ack SLA: 4h (default)")

	before = e.AuditLen("T1")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome set pos title=none kpi=x"), "An outcome needs a title, so `title=` cannot be cleared")
	if o, _ := e.St.GetOutcome(ctx, "T1", "pos"); o.Title != "Point of sale" || o.KPI != "" {
		t.Errorf("a refused clear changed pos: %+v", o)
	}
	if after := e.AuditLen("T1"); after != before {
		t.Errorf("a refused clear changed state: audit %d → %d", before, after)
	}
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome set pos it=<@UIT|it> kpi=\"basket size\""), "Outcome pos updated (it, kpi).")
}

// TestOutcomeHours: an outcome's own business hours are set with hours=,
// shown by /outcome show in their canonical form, and cleared with
// hours=none; hours=24x7 runs its clock round the clock. Bad hours are
// refused naming the form, and change nothing.
func TestOutcomeHours(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome show pos"), "Business hours: 24x7 (default)")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", `/outcome set pos hours="mon-fri 8:00-18:00 Europe/London"`), "Outcome pos updated (hours).")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome show pos"), "Business hours: Mon-Fri 08:00-18:00 Europe/London")
	if o, err := e.St.GetOutcome(ctx, "T1", "pos"); err != nil || o.Hours != "Mon-Fri 08:00-18:00 Europe/London" {
		t.Fatalf("pos = %+v, %v; want its hours stored", o, err)
	}
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome set pos hours=24x7"), "Outcome pos updated (hours).")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome show pos"), "Business hours: 24x7")

	before := e.AuditLen("T1")
	for line, want := range map[string]string{
		`/outcome set pos hours="Mon-Fri 18:00-08:00 Europe/London"`: "closing after opening",
		`/outcome set pos hours="Mon-Fri 08:00-18:00 EST"`:           "America/New_York",
		`/outcome set pos hours=weekdays`:                            "Mon-Fri 08:00-18:00 Europe/London",
		`/outcome set pos hours=Mon-Fri 08:00-18:00 Europe/London`:   `Quote the business hours: hours="Mon-Fri`,
	} {
		e.Expect(e.Run("T1", "UADMIN", "CGEN", line), want)
	}
	if after := e.AuditLen("T1"); after != before {
		t.Errorf("refused hours changed state: audit %d → %d", before, after)
	}
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome set pos hours=none"), "hours cleared: the default 24x7 applies")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome show pos"), "Business hours: 24x7 (default)")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", `/outcome add tills "New tills" hours="Mon-Sat 09:00-17:00 Europe/Paris"`), "Outcome tills added")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome show tills"), "Business hours: Mon-Sat 09:00-17:00 Europe/Paris")
}
