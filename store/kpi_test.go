package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestRecordKPI: the business owner records values; someone else without
// the admin role, a different unit and an archived outcome are refused in
// the same step and change nothing; history stays bounded.
func TestRecordKPI(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if err := s.CreateOutcome(ctx, ws, posOutcome()); err != nil { // owner U1
		t.Fatal(err)
	}
	pct := func(v float64) record.KPIValue { return record.KPIValue{Value: v, Suffix: "%"} }
	in := record.CheckIn{Outcome: "pos", Actor: "U1", At: t0, Need: []string{record.RoleAdmin}}
	res, err := s.RecordKPI(ctx, ws, in, pct(3.1))
	if err != nil || res.Verdict != record.CheckInDone || res.Count != 1 {
		t.Fatalf("owner's first value = %+v, %v", res, err)
	}
	stranger := in
	stranger.Actor = "U9"
	if res, err := s.RecordKPI(ctx, ws, stranger, pct(9)); err != nil || res.Verdict != record.CheckInForbidden || res.Owner != "U1" {
		t.Fatalf("stranger's value = %+v, %v; want forbidden naming U1", res, err)
	}
	in.At = t0.Add(time.Hour)
	if res, err := s.RecordKPI(ctx, ws, in, record.KPIValue{Value: 4, Suffix: "ms"}); err != nil || res.Verdict != record.CheckInUnit || res.Last.Text() != "3.1%" {
		t.Fatalf("value in another unit = %+v, %v; want unit naming 3.1%%", res, err)
	}
	if _, err := s.RecordKPI(ctx, ws, record.CheckIn{Outcome: "nope", Actor: "U1", At: t0}, pct(1)); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("unknown outcome: err = %v, want ErrNotFound", err)
	}
	// An admin without ownership may; history is capped.
	if _, err := s.Grant(ctx, ws, "U7", record.RoleAdmin, "U0", t0); err != nil {
		t.Fatal(err)
	}
	admin := in
	admin.Actor = "U7"
	for i := range record.KPIHistoryMax + 5 {
		admin.At = t0.Add(time.Duration(i+2) * time.Hour)
		if res, err := s.RecordKPI(ctx, ws, admin, pct(float64(i))); err != nil || res.Verdict != record.CheckInDone {
			t.Fatalf("admin's value %d = %+v, %v", i, res, err)
		}
	}
	got, err := s.OutcomeKPIs(ctx, ws, []string{"pos", "other"}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	vals := got["pos"].Values
	if len(vals) != record.KPIHistoryMax || vals[len(vals)-1].Value != record.KPIHistoryMax+4 || vals[0].Value != 5 {
		t.Fatalf("kept %d values, %v … %v; want the last %d", len(vals), vals[0], vals[len(vals)-1], record.KPIHistoryMax)
	}
	if _, ok := got["other"]; ok {
		t.Errorf("an outcome with nothing recorded has an entry")
	}
	// Archived: no values, no confirmation; archiving again is a no-op.
	if res, err := s.ArchiveOwnOutcome(ctx, ws, in); err != nil || res.Verdict != record.CheckInDone {
		t.Fatalf("owner's archive = %+v, %v", res, err)
	}
	if o, _ := s.GetOutcome(ctx, ws, "pos"); o.Status != record.OutcomeArchived {
		t.Fatalf("status after archive = %q", o.Status)
	}
	if res, _ := s.ArchiveOwnOutcome(ctx, ws, in); res.Verdict != record.CheckInAlready {
		t.Errorf("second archive = %+v, want already", res)
	}
	if res, _ := s.RecordKPI(ctx, ws, in, pct(1)); res.Verdict != record.CheckInArchived {
		t.Errorf("value on archived = %+v, want archived", res)
	}
	if res, _ := s.ConfirmOutcome(ctx, ws, in); res.Verdict != record.CheckInArchived {
		t.Errorf("confirm on archived = %+v, want archived", res)
	}
}

// TestRecordKPIDropsOldValues: values older than two years go as new ones
// come, and then a new unit may start.
func TestRecordKPIDropsOldValues(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if err := s.CreateOutcome(ctx, ws, posOutcome()); err != nil {
		t.Fatal(err)
	}
	in := record.CheckIn{Outcome: "pos", Actor: "U1", At: t0}
	if _, err := s.RecordKPI(ctx, ws, in, record.KPIValue{Value: 1, Suffix: "%"}); err != nil {
		t.Fatal(err)
	}
	in.At = t0.Add(record.KPIHistoryAge + time.Hour)
	if res, err := s.RecordKPI(ctx, ws, in, record.KPIValue{Value: 2, Prefix: "£"}); err != nil || res.Verdict != record.CheckInDone {
		t.Fatalf("value after two years = %+v, %v", res, err)
	}
	got, _ := s.OutcomeKPIs(ctx, ws, []string{"pos"}, time.Time{})
	if v := got["pos"].Values; len(v) != 1 || v[0].Text() != "£2" {
		t.Fatalf("values = %+v, want only £2", v)
	}
}

// TestConfirmOutcome records who confirmed and when.
func TestConfirmOutcome(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if err := s.CreateOutcome(ctx, ws, posOutcome()); err != nil {
		t.Fatal(err)
	}
	if res, err := s.ConfirmOutcome(ctx, ws, record.CheckIn{Outcome: "pos", Actor: "U9", At: t0, Need: []string{record.RoleAdmin}}); err != nil || res.Verdict != record.CheckInForbidden {
		t.Fatalf("stranger's confirm = %+v, %v", res, err)
	}
	if res, err := s.ConfirmOutcome(ctx, ws, record.CheckIn{Outcome: "pos", Actor: "U1", At: t0, Need: []string{record.RoleAdmin}}); err != nil || res.Verdict != record.CheckInDone {
		t.Fatalf("owner's confirm = %+v, %v", res, err)
	}
	got, _ := s.OutcomeKPIs(ctx, ws, []string{"pos"}, time.Time{})
	if k := got["pos"]; !k.ConfirmedAt.Equal(t0) || k.ConfirmedBy != "U1" {
		t.Fatalf("confirmation = %+v", k)
	}
}

// TestClaimCheckIn: one claim per owner and week across holders.
func TestClaimCheckIn(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if n, err := s.ClaimCheckIn(ctx, ws, "2026-W47", "U1", "a", time.Minute, t0); err != nil || n != record.CheckInClaimed {
		t.Fatalf("first claim = %d, %v", n, err)
	}
	if n, _ := s.ClaimCheckIn(ctx, ws, "2026-W47", "U1", "b", time.Minute, t0); n != record.CheckInHeld {
		t.Fatalf("second holder = %d, want held", n)
	}
	if err := s.FailCheckIn(ctx, ws, "2026-W47", "U1", "a", t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.ClaimCheckIn(ctx, ws, "2026-W47", "U1", "b", time.Minute, t0.Add(9*time.Minute)); n != record.CheckInHeld {
		t.Fatalf("before the retry time = %d, want held", n)
	}
	if n, _ := s.ClaimCheckIn(ctx, ws, "2026-W47", "U1", "b", time.Minute, t0.Add(10*time.Minute)); n != record.CheckInClaimed {
		t.Fatalf("at the retry time = %d, want claimed", n)
	}
	if err := s.MarkCheckInSent(ctx, ws, "2026-W47", "U1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.ClaimCheckIn(ctx, ws, "2026-W47", "U1", "b", time.Minute, t0); n != record.CheckInSent {
		t.Fatalf("after sent = %d, want sent", n)
	}
	if n, _ := s.ClaimCheckIn(ctx, ws, "2026-W48", "U1", "b", time.Minute, t0); n != record.CheckInClaimed {
		t.Fatalf("next week = %d, want claimed", n)
	}
}
