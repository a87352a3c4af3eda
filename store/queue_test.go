package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestOutcomesAndOpen: the outcomes by key and the open escalations newest
// first, a resolved one left out; an empty workspace reads as empty.
func TestOutcomesAndOpen(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if os, es, err := s.OutcomesAndOpen(ctx, ws, 100); err != nil || len(os) != 0 || len(es) != 0 {
		t.Fatalf("empty: %v %v %v", os, es, err)
	}
	mustOutcomes(t, s, "pos", "infra")
	for i, ref := range []string{"INC1", "INC2", "INC3"} {
		if _, err := s.Escalate(ctx, ws, record.Escalation{Ref: ref, Outcome: "pos", RaisedBy: "U1", RaisedAt: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := storetest.Resolve(ctx, s, ws, 2, "U2", "", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	os, es, err := s.OutcomesAndOpen(ctx, ws, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(os) != 2 || os[0].Key != "infra" || os[1].Key != "pos" {
		t.Fatalf("outcomes %+v", os)
	}
	if len(es) != 2 || es[0].N != 3 || es[1].N != 1 {
		t.Fatalf("open escalations %+v", es)
	}
}

// TestOutcomesAndOpenKeepsTheOldest: with more open escalations than the
// limit, the oldest (the most overdue) are read, not the newest.
func TestOutcomesAndOpenKeepsTheOldest(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	mustOutcomes(t, s, "pos")
	for i, ref := range []string{"INC1", "INC2", "INC3"} {
		if _, err := s.Escalate(ctx, ws, record.Escalation{Ref: ref, Outcome: "pos", RaisedBy: "U1", RaisedAt: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	_, es, err := s.OutcomesAndOpen(ctx, ws, 2)
	if err != nil || len(es) != 2 || es[0].N != 2 || es[1].N != 1 {
		t.Fatalf("open escalations %+v %v, want E-2 and E-1", es, err)
	}
}
