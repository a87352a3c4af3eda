package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func posOutcome() record.Outcome {
	return record.Outcome{
		Key: "pos", Title: "Omnichannel POS lifts in-store conversion", KPI: "conversion",
		Owner: "U1", ITOwner: "U2", ITChannel: "C9", SLA: 4 * time.Hour,
		CreatedBy: "U0", CreatedAt: t0,
	}
}

func TestCreateOutcome(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if err := s.CreateOutcome(ctx, ws, posOutcome()); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetOutcome(ctx, ws, "pos")
	if err != nil {
		t.Fatal(err)
	}
	want := posOutcome()
	want.Status = record.OutcomeActive
	if got != want {
		t.Errorf("GetOutcome = %+v, want %+v", got, want)
	}
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt location = %v, want UTC", got.CreatedAt.Location())
	}
	dup := posOutcome()
	dup.Title = "other"
	if err := s.CreateOutcome(ctx, ws, dup); !errors.Is(err, record.ErrExists) {
		t.Fatalf("second CreateOutcome: err = %v, want ErrExists", err)
	}
	if got, _ := s.GetOutcome(ctx, ws, "pos"); got.Title != want.Title {
		t.Errorf("title after failed create = %q, want %q", got.Title, want.Title)
	}
}

func TestUpdateOutcome(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	o := posOutcome()
	if err := s.UpdateOutcome(ctx, ws, o, "U0", t0); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("update of missing outcome: err = %v, want ErrNotFound", err)
	}
	if err := s.CreateOutcome(ctx, ws, o); err != nil {
		t.Fatal(err)
	}
	o.Title, o.KPI, o.SLA, o.Status = "New title", "", 0, ""
	o.CreatedBy, o.CreatedAt = "", time.Time{}
	if err := s.UpdateOutcome(ctx, ws, o, "U5", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetOutcome(ctx, ws, "pos"); got.Status != record.OutcomeActive {
		t.Errorf("update without status changed it to %q", got.Status)
	}
	o.Status = record.OutcomeArchived
	if err := s.UpdateOutcome(ctx, ws, o, "U5", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetOutcome(ctx, ws, "pos")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "New title" || got.KPI != "" || got.SLA != 0 || got.Status != record.OutcomeArchived {
		t.Errorf("after update: %+v", got)
	}
	if got.CreatedBy != "U0" || !got.CreatedAt.Equal(t0) {
		t.Errorf("update lost creation: by %q at %v", got.CreatedBy, got.CreatedAt)
	}
}

func TestGetOutcomeNotFound(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	_, err := s.GetOutcome(ctx, ws, "nope")
	if !errors.Is(err, record.ErrNotFound) || errors.Is(err, record.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrNotFound only", err)
	}
}

func TestListOutcomesSorted(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if got, err := s.ListOutcomes(ctx, ws); err != nil || len(got) != 0 {
		t.Fatalf("empty ListOutcomes = %v, %v", got, err)
	}
	for _, k := range []string{"infra", "pos", "a-first", "zz"} {
		if err := s.CreateOutcome(ctx, ws, record.Outcome{Key: k, Title: k}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ListOutcomes(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range got {
		keys = append(keys, o.Key)
	}
	if want := "[a-first infra pos zz]"; fmtSlice(keys) != want {
		t.Errorf("keys = %v, want %v", keys, want)
	}
}

func TestBadWorkspace(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	for _, bad := range []string{"", "T{1}", "T}"} {
		if err := s.CreateOutcome(ctx, bad, posOutcome()); err == nil {
			t.Errorf("CreateOutcome(%q) succeeded", bad)
		}
		if _, err := s.Tag(ctx, bad, "INC1", "pos", "U1", "", t0); err == nil {
			t.Errorf("Tag(%q) succeeded", bad)
		}
	}
}
