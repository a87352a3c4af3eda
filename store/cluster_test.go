package store_test

import (
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestClusterSlots runs every operation on a real (one-node) Redis
// Cluster, which refuses scripts, transactions and pipelines whose keys
// cross slots: it proves each operation's keys share the workspace's slot,
// and that the global workspace set is written outside the script.
func TestClusterSlots(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.NewCluster(t), ctxT(t)
	at := t0
	step := func(name string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	mustOutcomes(t, s, "pos", "infra")
	step("update outcome", s.UpdateOutcome(ctx, ws, record.Outcome{Key: "pos", Title: "POS"}, "U0", at))
	_, err := s.GetOutcome(ctx, ws, "pos")
	step("get outcome", err)
	_, err = s.ListOutcomes(ctx, ws)
	step("list outcomes", err)
	for _, o := range []string{"pos", "infra", "", "pos"} {
		_, err = s.Tag(ctx, ws, "INC1", o, "U1", "note", at)
		step("tag "+o, err)
	}
	_, err = s.GetRequest(ctx, ws, "INC1")
	step("get request", err)
	e, err := s.Escalate(ctx, ws, record.Escalation{Ref: "INC1", Outcome: "pos", RaisedBy: "U1", RaisedAt: at})
	step("escalate", err)
	_, _, err = s.ClaimReminder(ctx, ws, e.N, 1, at.Add(time.Hour))
	step("claim reminder", err)
	step("set message", s.SetEscalationMessage(ctx, ws, e.N, "card", "C9", "1.2"))
	_, err = s.ReleaseReminder(ctx, ws, e.N, 1, 5, at.Add(time.Hour))
	step("release reminder", err)
	_, err = s.Pace(ctx, ws, at, store.Limit{Name: "slack:ws", Interval: time.Second, Burst: 2},
		store.Limit{Name: "slack:ch:C9", Interval: time.Second, Burst: 2})
	step("pace", err)
	_, _, _, err = s.Settle(ctx, ws, record.Settlement{N: e.N, Actor: "U2", At: at.Add(time.Hour), Roles: []string{record.RoleITLead}})
	if err == nil {
		t.Error("settle by a user without the role succeeded")
	}
	_, o, _, err := s.Settle(ctx, ws, record.Settlement{N: e.N, Actor: "U2", At: at.Add(time.Hour)})
	step("ack (settle)", err)
	if o.Key != "pos" {
		t.Errorf("settle on cluster read outcome %+v", o)
	}
	_, _, err = storetest.Resolve(ctx, s, ws, e.N, "U2", "", at.Add(2*time.Hour))
	step("resolve", err)
	_, err = s.GetEscalation(ctx, ws, e.N)
	step("get escalation", err)
	_, err = s.ListEscalations(ctx, ws, record.EscalationFilter{RaisedBy: "U1"})
	step("list escalations", err)
	_, err = s.Grant(ctx, ws, "U2", record.RoleITLead, "U0", at)
	step("grant", err)
	_, err = s.Revoke(ctx, ws, "U2", record.RoleITLead, "U0", at)
	step("revoke", err)
	_, err = s.UserRoles(ctx, ws, "U2")
	step("user roles", err)
	_, err = s.RoleMembers(ctx, ws)
	step("role members", err)
	_, err = storetest.Subscribe(ctx, s, ws, record.Subscription{Channel: "C1", TZ: "UTC", By: "U0", At: at})
	step("subscribe", err)
	_, err = s.ChangeSubscription(ctx, ws, record.SubscriptionChange{Channel: "C1", TZ: "Europe/Berlin", By: "U0", At: at})
	step("change subscription", err)
	_, err = s.ListSubscriptions(ctx, ws)
	step("list subscriptions", err)
	_, err = s.Unsubscribe(ctx, ws, "C1", "U0", at)
	step("unsubscribe", err)
	d, err := s.DigestData(ctx, ws, t0, t0.Add(24*time.Hour))
	step("digest data", err)
	if len(d.Tags) != 4 || len(d.Escalations) != 1 {
		t.Errorf("digest on cluster: %d tags, %d escalations", len(d.Tags), len(d.Escalations))
	}
	_, err = s.Audit(ctx, ws, 10)
	step("audit", err)
	wss, err := s.Workspaces(ctx)
	step("workspaces", err)
	if fmtSlice(wss) != "["+ws+"]" {
		t.Errorf("workspaces = %v", wss)
	}
}
