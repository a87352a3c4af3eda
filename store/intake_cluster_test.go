package store_test

import (
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestIntakeClusterSlots runs the intake, import, export and triage
// operations on a real (one-node) Redis Cluster, which refuses scripts and
// transactions whose keys cross slots: each keeps to the workspace's slot,
// and the batch pipeline writes the global workspace set beside them.
func TestIntakeClusterSlots(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.NewCluster(t), ctxT(t)
	step := func(name string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	mustOutcomes(t, s, "pos", "infra")
	items := []record.IntakeItem{
		{Ref: "INC1", Source: "jira", Outcome: "pos", Opened: t0, Seen: "line 2"},
		{Ref: "INC2", Source: "jira", Status: record.RequestClosed, Seen: "line 3"},
		{Ref: "INC1", Source: "jira", Seen: "line 4"},
	}
	for _, dry := range []bool{true, false} {
		res, err := s.Intake(ctx, ws, items, record.IntakeOptions{Actor: "jira", At: t0, DryRun: dry, Run: "r1"})
		step("intake", err)
		if res[0].Err != nil || res[2].Err == nil {
			t.Fatalf("dry %v: %+v", dry, res)
		}
		step("end import run", s.EndImportRun(ctx, ws, "r1"))
	}
	res, err := s.Intake(ctx, ws, []record.IntakeItem{{Ref: "INC1", Source: "jira", Outcome: "infra", Status: record.RequestClosed}}, record.IntakeOptions{Actor: "jira", At: t0})
	step("re-tag and close", err)
	if !res[0].Tagged() {
		t.Errorf("re-tag: %+v", res[0])
	}
	_, err = s.RequestsReceived(ctx, ws, t0.Add(-time.Hour), t0.Add(time.Hour))
	step("requests received", err)
	_, err = s.GetRequests(ctx, ws, []string{"INC1", "INC2"})
	step("get requests", err)
	step("each request", s.EachRequest(ctx, ws, 1, func([]record.Request) error { return nil }))
	_, err = s.EscalationsByRef(ctx, ws)
	step("escalations by ref", err)
	_, err = s.SetTriageChannel(ctx, ws, "C1", "U0", t0)
	step("set triage channel", err)
	_, err = s.GetTriageSettings(ctx, ws)
	step("get triage settings", err)
	id, err := s.SaveTriageMessage(ctx, ws, record.TriageMessage{Week: "2026-W45", Refs: []string{"INC1"}})
	step("save triage message", err)
	_, err = s.GetTriageMessage(ctx, ws, id)
	step("get triage message", err)
	_, err = s.ClaimTriage(ctx, ws, "C1", "2026-W45", "h", time.Minute)
	step("claim triage", err)
	step("release triage", s.ReleaseTriage(ctx, ws, "C1", "2026-W45", "h"))
	step("record triage", s.RecordTriage(ctx, ws, "C1", "2026-W45", t0))
}
