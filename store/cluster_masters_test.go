package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/redisproc"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestThreeMasterCluster starts a real 3-master Redis Cluster on loopback
// (redis-server --cluster-enabled yes ×3, then redis-cli --cluster create)
// and runs the store's operations in a dozen workspaces, which land on
// different masters, through Connect with one REDIS_CLUSTER_ADDRS address.
// Any CROSSSLOT (a script, MULTI or pipeline whose keys cross slots), MOVED
// that the client cannot follow, or NOSCRIPT on a node that never saw a
// script fails it. Skipped without redis-server and redis-cli, except
// under CI=true.
func TestThreeMasterCluster(t *testing.T) {
	t.Parallel()
	cluster := redisproc.StartCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, closeFn, err := store.Connect(ctx, store.Conn{ClusterAddrs: cluster.Addrs[:1]})
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	cc, ok := st.Client().(*redis.ClusterClient)
	if !ok {
		t.Fatalf("one cluster address gave a %T, want *redis.ClusterClient", st.Client())
	}
	var wss []string
	for i := range 12 {
		wss = append(wss, fmt.Sprintf("T%02d", i))
	}
	for _, w := range wss {
		exerciseStore(t, ctx, st, w)
	}
	got, err := st.Workspaces(ctx)
	if err != nil || len(got) != len(wss) {
		t.Errorf("workspaces = %v, %v", got, err)
	}
	var masters atomic.Int32 // ForEachMaster calls fn concurrently
	_ = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		if c.DBSize(ctx).Val() > 0 {
			masters.Add(1)
		}
		return nil
	})
	if masters.Load() < 2 {
		t.Errorf("the workspaces' keys are on %d master(s); the test needs them spread", masters.Load())
	}
}

// exerciseStore runs every kind of store operation in workspace w.
func exerciseStore(t *testing.T, ctx context.Context, s *store.Store, w string) {
	t.Helper()
	at := t0
	step := func(name string, err error) {
		t.Helper()
		if err != nil {
			if strings.Contains(err.Error(), "CROSSSLOT") {
				t.Fatalf("%s in %s: cross-slot: %v", name, w, err)
			}
			t.Fatalf("%s in %s: %v", name, w, err)
		}
	}
	for _, k := range []string{"pos", "infra"} {
		step("create outcome", s.CreateOutcome(ctx, w, record.Outcome{Key: k, Title: k, Status: record.OutcomeActive, CreatedAt: at}))
	}
	step("update outcome", s.UpdateOutcome(ctx, w, record.Outcome{Key: "pos", Title: "POS", Status: record.OutcomeActive, ITChannel: "CIT"}, "U0", at))
	_, err := s.ListOutcomes(ctx, w)
	step("list outcomes", err)
	for i, o := range []string{"pos", "infra", "", "pos"} {
		_, err = s.Tag(ctx, w, "INC1", o, "U1", "note", at.Add(time.Duration(i)*time.Minute))
		step("tag "+o, err)
	}
	_, err = s.Intake(ctx, w, []record.IntakeItem{
		{Ref: "INC2", Title: "Till 4 offline", Source: "servicenow", Outcome: "infra", Opened: at.Add(-time.Hour)},
		{Ref: "OPS-7", Title: "VPN", Source: "jira"},
	}, record.IntakeOptions{Actor: "servicenow", At: at.Add(time.Minute), Run: "run1"})
	step("intake", err)
	step("end import run", s.EndImportRun(ctx, w, "run1"))
	_, err = s.GetRequests(ctx, w, []string{"INC1", "INC2", "OPS-7"})
	step("get requests", err)
	_, err = s.RequestsReceived(ctx, w, at.Add(-2*time.Hour), at.Add(time.Hour))
	step("requests received", err)
	e, err := s.Escalate(ctx, w, record.Escalation{Ref: "INC1", Outcome: "pos", RaisedBy: "U1", RaisedAt: at})
	step("escalate", err)
	e2, _, _, err := s.EscalateRequest(ctx, w, record.Escalation{Ref: "INC2", RaisedBy: "U1", RaisedAt: at.Add(time.Minute)})
	step("escalate request", err)
	_, _, err = s.ClaimReminder(ctx, w, e.N, 1, at.Add(time.Hour))
	step("claim reminder", err)
	step("set message", s.SetEscalationMessage(ctx, w, e.N, "card", "CIT", "1.2"))
	_, _, err = storetest.Ack(ctx, s, w, e.N, "U2", "", at.Add(time.Hour))
	step("ack", err)
	_, _, err = storetest.Resolve(ctx, s, w, e.N, "U2", "", at.Add(2*time.Hour))
	step("resolve", err)
	_, err = s.ListEscalations(ctx, w, record.EscalationFilter{OpenOnly: true})
	step("list escalations", err)
	_, err = s.EscalationsByRef(ctx, w)
	step("escalations by ref", err)
	_, err = s.Grant(ctx, w, "U2", record.RoleITLead, "U0", at)
	step("grant", err)
	_, err = s.RoleMembers(ctx, w)
	step("role members", err)
	_, err = storetest.Subscribe(ctx, s, w, record.Subscription{Channel: "CLEAD", TZ: "Europe/Berlin", By: "U0", At: at})
	step("subscribe", err)
	_, err = storetest.ClaimDigest(ctx, s, w, "CLEAD", "2026-W45", "replica-1", time.Minute)
	step("claim digest", err)
	step("record digest", s.RecordDigest(ctx, w, "CLEAD", record.DigestPost{Week: "2026-W45", At: at, MessageID: "m1"}))
	_, err = s.LastDigest(ctx, w, "CLEAD")
	step("last digest", err)
	_, err = s.ClaimTriage(ctx, w, "CTRIAGE", "2026-W45", "replica-1", time.Minute)
	step("claim triage", err)
	d, err := s.DigestData(ctx, w, t0.Add(-24*time.Hour), t0.Add(24*time.Hour))
	step("digest data", err)
	if len(d.Tags) < 4 || len(d.Escalations) != 2 || d.OpenTagged["infra"] != 1 || e2.N != 2 {
		t.Errorf("digest data in %s: %d tags, %d escalations, open tagged %v", w, len(d.Tags), len(d.Escalations), d.OpenTagged)
	}
	_, err = s.Audit(ctx, w, 10)
	step("audit", err)
	res, err := s.Sweep(ctx, w, t0.AddDate(1, 0, 0)) // a year on, everything resolved or untouched goes
	step("retention sweep", err)
	if res.Escalations != 1 || res.Requests != 3 {
		t.Errorf("sweep in %s: %+v; want 1 escalation (E-2 is open) and 3 requests", w, res)
	}
	_, err = s.Memory(ctx, w, 10)
	step("memory", err)
}
