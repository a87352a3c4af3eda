package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestGrantRevoke(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	steps := []struct {
		name, mode, user, role string
		want                   bool
	}{
		{"grant admin", "grant", "U1", record.RoleAdmin, true},
		{"grant again", "grant", "U1", record.RoleAdmin, false},
		{"grant lead", "grant", "U1", record.RoleITLead, true},
		{"grant other", "grant", "U2", record.RoleITLead, true},
		{"revoke admin", "revoke", "U1", record.RoleAdmin, true},
		{"revoke again", "revoke", "U1", record.RoleAdmin, false},
		{"revoke never granted", "revoke", "U3", record.RoleAdmin, false},
	}
	for _, st := range steps {
		f := s.Grant
		if st.mode == "revoke" {
			f = s.Revoke
		}
		got, err := f(ctx, ws, st.user, st.role, "U0", t0)
		if err != nil || got != st.want {
			t.Errorf("%s: %v, %v; want %v", st.name, got, err, st.want)
		}
	}
	roles, err := s.UserRoles(ctx, ws, "U1")
	if err != nil || fmtSlice(roles) != "[it-lead]" {
		t.Errorf("UserRoles(U1) = %v, %v", roles, err)
	}
	members, err := s.RoleMembers(ctx, ws)
	if err != nil || fmt.Sprint(members) != "map[it-lead:[U1 U2]]" {
		t.Errorf("RoleMembers = %v, %v", members, err)
	}
	audit, _ := s.Audit(ctx, ws, 0)
	if len(audit) != 4 { // 3 grants and 1 revoke changed something
		t.Errorf("%d audit entries, want 4: %+v", len(audit), audit)
	}
}

func TestSubscriptions(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	sub := record.Subscription{Channel: "C2", Outcomes: []string{"pos", "infra"}, TZ: "Europe/Berlin", By: "U1", At: t0}
	if isNew, err := storetest.Subscribe(ctx, s, ws, sub); err != nil || !isNew {
		t.Fatalf("Subscribe: %v, %v", isNew, err)
	}
	sub.Outcomes, sub.TZ = nil, "America/New_York"
	if isNew, err := storetest.Subscribe(ctx, s, ws, sub); err != nil || isNew {
		t.Fatalf("re-Subscribe: %v, %v", isNew, err)
	}
	if _, err := storetest.Subscribe(ctx, s, ws, record.Subscription{Channel: "C1", By: "U1", At: t0}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSubscription(ctx, ws, "C2")
	if err != nil || got.TZ != "America/New_York" || len(got.Outcomes) != 0 || got.By != "U1" || !got.At.Equal(t0) {
		t.Errorf("GetSubscription = %+v, %v", got, err)
	}
	list, err := s.ListSubscriptions(ctx, ws)
	if err != nil || len(list) != 2 || list[0].Channel != "C1" || list[1].Channel != "C2" {
		t.Errorf("ListSubscriptions = %+v, %v", list, err)
	}
	if ok, err := s.Unsubscribe(ctx, ws, "C2", "U1", t0.Add(time.Hour)); err != nil || !ok {
		t.Errorf("Unsubscribe: %v, %v", ok, err)
	}
	if ok, err := s.Unsubscribe(ctx, ws, "C2", "U1", t0.Add(time.Hour)); err != nil || ok {
		t.Errorf("second Unsubscribe: %v, %v", ok, err)
	}
	if _, err := s.GetSubscription(ctx, ws, "C2"); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("GetSubscription after unsubscribe: err = %v", err)
	}
}

// TestChangeSubscription: changing a subscription changes only what is
// named; the subscriber and the time subscribed stay; asking for what is
// already so writes nothing.
func TestChangeSubscription(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	steps := []struct {
		name                 string
		ch                   record.SubscriptionChange
		created, changed     bool
		wantTZ, wantOutcomes string
	}{
		{"new", record.SubscriptionChange{DefaultTZ: "UTC", By: "U1", At: t0}, true, true, "UTC", "[]"},
		{"zone", record.SubscriptionChange{TZ: "Europe/Berlin", DefaultTZ: "UTC", By: "U2", At: t0.Add(time.Hour)}, false, true, "Europe/Berlin", "[]"},
		{"outcomes", record.SubscriptionChange{SetOutcomes: true, Outcomes: []string{"pos", "infra"}, DefaultTZ: "UTC", By: "U2", At: t0.Add(2 * time.Hour)}, false, true, "Europe/Berlin", "[pos infra]"},
		{"same again", record.SubscriptionChange{TZ: "Europe/Berlin", SetOutcomes: true, Outcomes: []string{"pos", "infra"}, By: "U3", At: t0.Add(3 * time.Hour)}, false, false, "Europe/Berlin", "[pos infra]"},
		{"nothing named", record.SubscriptionChange{By: "U3", At: t0.Add(4 * time.Hour)}, false, false, "Europe/Berlin", "[pos infra]"},
		{"all outcomes", record.SubscriptionChange{SetOutcomes: true, By: "U3", At: t0.Add(5 * time.Hour)}, false, true, "Europe/Berlin", "[]"},
	}
	for _, st := range steps {
		st.ch.Channel = "C1"
		before, _ := s.GetSubscription(ctx, ws, "C1")
		res, err := s.ChangeSubscription(ctx, ws, st.ch)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.Created != st.created || res.Changed != st.changed || fmtSlice(res.Before.Outcomes) != fmtSlice(before.Outcomes) || res.Before.TZ != before.TZ {
			t.Errorf("%s: result %+v (before %+v)", st.name, res, before)
		}
		got, err := s.GetSubscription(ctx, ws, "C1")
		if err != nil || got.TZ != st.wantTZ || fmtSlice(got.Outcomes) != st.wantOutcomes || got.By != "U1" || !got.At.Equal(t0) {
			t.Errorf("%s: subscription %+v, %v; want zone %s, outcomes %s, by U1 at %v", st.name, got, err, st.wantTZ, st.wantOutcomes, t0)
		}
		if fmt.Sprint(got) != fmt.Sprint(res.After) {
			t.Errorf("%s: After = %+v, stored %+v", st.name, res.After, got)
		}
	}
	if n := auditCounts(t, s)["subscribe"]; n != 4 {
		t.Errorf("audited %d subscription changes, want 4", n)
	}
}

func TestWorkspaces(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if got, err := s.Workspaces(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Workspaces on empty store = %v, %v", got, err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateOutcome(ctx, "T-outcome", record.Outcome{Key: "pos"}))
	_, err := s.Tag(ctx, "T-tag", "INC1", "", "U1", "", t0)
	must(err)
	_, err = s.Escalate(ctx, "T-esc", record.Escalation{Ref: "INC1", RaisedBy: "U1", RaisedAt: t0})
	must(err)
	_, err = storetest.Subscribe(ctx, s, "T-sub", record.Subscription{Channel: "C1"})
	must(err)
	_, err = s.Grant(ctx, "T-grant", "U1", record.RoleAdmin, "U0", t0)
	must(err)
	// Reads and failed writes register nothing.
	_, _ = s.GetOutcome(ctx, "T-read", "pos")
	_, _, _ = storetest.Ack(ctx, s, "T-read", 1, "U1", "", t0)
	got, err := s.Workspaces(ctx)
	if want := "[T-esc T-grant T-outcome T-sub T-tag]"; err != nil || fmtSlice(got) != want {
		t.Errorf("Workspaces = %v, %v; want %v", got, err, want)
	}
}

func TestWorkspaceIsolation(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	for _, w := range []string{"TA", "TB"} {
		if err := s.CreateOutcome(ctx, w, record.Outcome{Key: "pos", Title: "title " + w}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Tag(ctx, w, "INC1", "pos", "U-"+w, "", t0); err != nil {
			t.Fatal(err)
		}
		e, err := s.Escalate(ctx, w, record.Escalation{Ref: "INC1", Reason: "in " + w, RaisedBy: "U-" + w, RaisedAt: t0})
		if err != nil || e.N != 1 {
			t.Fatalf("escalate in %s: E-%d, %v", w, e.N, err)
		}
	}
	if _, _, err := storetest.Ack(ctx, s, "TA", 1, "U-TA", "", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	eb, err := s.GetEscalation(ctx, "TB", 1)
	if err != nil || eb.State != record.StateOpen || eb.Reason != "in TB" {
		t.Errorf("TB's E-1 = %+v, %v", eb, err)
	}
	ob, _ := s.GetOutcome(ctx, "TB", "pos")
	rb, _ := s.GetRequest(ctx, "TB", "INC1")
	if ob.Title != "title TB" || len(rb.History) != 1 || rb.History[0].By != "U-TB" {
		t.Errorf("TB sees %+v / %+v", ob, rb)
	}
	d, err := s.DigestData(ctx, "TB", t0, t0.Add(time.Hour))
	if err != nil || len(d.Tags) != 1 || len(d.Escalations) != 1 || d.OpenTagged["pos"] != 1 {
		t.Errorf("TB digest = %+v, %v", d, err)
	}
	for _, w := range []string{"TA", "TB"} {
		a, _ := s.Audit(ctx, w, 0)
		for _, e := range a {
			if e.Who != "" && e.Who != "U-"+w {
				t.Errorf("%s audit has %+v", w, e)
			}
		}
	}
	// Every workspace key carries the workspace's hash tag.
	keys, err := s.Client().Keys(ctx, s.Prefix()+":*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k != s.Prefix()+":workspaces" && !hasTag(k, s.Prefix(), "TA") && !hasTag(k, s.Prefix(), "TB") {
			t.Errorf("key %q has no workspace hash tag", k)
		}
	}
}

func hasTag(key, prefix, ws string) bool {
	p := prefix + ":{" + ws + "}:"
	return len(key) > len(p) && key[:len(p)] == p
}

// TestChangeSubscriptionResent: the same change sent again (a lost reply)
// answers as the first run did — changed, with the state before it — and
// writes nothing more; a later identical change is "nothing changed".
func TestChangeSubscriptionResent(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if _, err := s.ChangeSubscription(ctx, ws, record.SubscriptionChange{Channel: "CL", DefaultTZ: "UTC", By: "U0", At: t0}); err != nil {
		t.Fatal(err)
	}
	change := record.SubscriptionChange{Channel: "CL", TZ: "Europe/Berlin", By: "U1", At: t0.Add(time.Hour)}
	first, err := s.ChangeSubscription(ctx, ws, change)
	if err != nil || !first.Changed || first.Before.TZ != "UTC" {
		t.Fatalf("first: %+v, %v", first, err)
	}
	audits := auditCounts(t, s)["subscribe"]
	again, err := s.ChangeSubscription(ctx, ws, change)
	if err != nil || !again.Changed || again.Before.TZ != "UTC" || again.After.TZ != "Europe/Berlin" {
		t.Errorf("resent: %+v, %v; want the first run's answer", again, err)
	}
	if n := auditCounts(t, s)["subscribe"]; n != audits {
		t.Errorf("the resend wrote again: %d subscribe audits, want %d", n, audits)
	}
	change.At = t0.Add(2 * time.Hour)
	if later, err := s.ChangeSubscription(ctx, ws, change); err != nil || later.Changed {
		t.Errorf("a later identical change: %+v, %v; want nothing changed", later, err)
	}
}
