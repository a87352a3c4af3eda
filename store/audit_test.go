package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestAuditEntries(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	ops := []func() error{
		func() error {
			return s.CreateOutcome(ctx, ws, record.Outcome{Key: "pos", CreatedBy: "U0", CreatedAt: at(0)})
		},
		func() error { return s.UpdateOutcome(ctx, ws, record.Outcome{Key: "pos"}, "U0", at(1)) },
		func() error { _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", at(2)); return err },
		func() error {
			_, err := s.Escalate(ctx, ws, record.Escalation{Ref: "INC1", RaisedBy: "U1", RaisedAt: at(3)})
			return err
		},
		func() error { _, _, err := s.ClaimReminder(ctx, ws, 1, 1, at(4)); return err },
		func() error { _, _, err := storetest.Ack(ctx, s, ws, 1, "U2", "", at(5)); return err },
		func() error { _, _, err := storetest.Resolve(ctx, s, ws, 1, "U2", "", at(6)); return err },
		func() error { _, err := s.Grant(ctx, ws, "U2", record.RoleITLead, "U0", at(7)); return err },
		func() error { _, err := s.Revoke(ctx, ws, "U2", record.RoleITLead, "U0", at(8)); return err },
		func() error {
			_, err := storetest.Subscribe(ctx, s, ws, record.Subscription{Channel: "C1", By: "U0", At: at(9)})
			return err
		},
		func() error { _, err := s.Unsubscribe(ctx, ws, "C1", "U0", at(10)); return err },
	}
	for i, op := range ops {
		if err := op(); err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	got, err := s.Audit(ctx, ws, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ who, what, detail string }{
		{"U0", "unsubscribe", "C1"},
		{"U0", "subscribe", "C1"},
		{"U0", "revoke", "U2 it-lead"},
		{"U0", "grant", "U2 it-lead"},
		{"U2", "resolve", "E-1"},
		{"U2", "ack", "E-1"},
		{"outcomebot", "reminder", "E-1 step 1"},
		{"U1", "escalate", "E-1 INC1"},
		{"U1", "tag", "INC1: none -> pos"},
		{"U0", "outcome.update", "pos"},
		{"U0", "outcome.create", "pos"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Who != w.who || g.What != w.what || g.Detail != w.detail || !g.At.Equal(at(len(want)-1-i)) || g.ID == "" {
			t.Errorf("entry %d = %+v, want %+v at %v", i, g, w, at(len(want)-1-i))
		}
	}
	if two, _ := s.Audit(ctx, ws, 2); len(two) != 2 || two[0].What != "unsubscribe" {
		t.Errorf("Audit(2) = %+v", two)
	}
}

func TestAuditCapped(t *testing.T) {
	t.Parallel()
	const maxLen, writes = 10, 500
	s, ctx := storetest.NewWithOptions(t, store.Options{AuditMaxLen: maxLen}), ctxT(t)
	mustOutcomes(t, s, "pos")
	for i := range writes {
		if _, err := s.Tag(ctx, ws, fmt.Sprint("INC", i), "pos", "U1", "", t0); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Client().XLen(ctx, s.Prefix()+":{"+ws+"}:audit").Result()
	if err != nil {
		t.Fatal(err)
	}
	// MAXLEN ~ trims whole stream nodes (stream-node-max-entries, 100 by
	// default), so the stream may exceed the cap by up to one node.
	if n < maxLen || n > maxLen+100 {
		t.Errorf("audit stream holds %d entries after %d writes, want %d..%d", n, writes, maxLen, maxLen+100)
	}
	last, _ := s.Audit(ctx, ws, 1)
	if len(last) != 1 || last[0].Detail != fmt.Sprintf("INC%d: none -> pos", writes-1) {
		t.Errorf("newest entry = %+v", last)
	}
}
