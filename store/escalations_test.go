package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// auditCounts counts the workspace's audit entries by what they record.
func auditCounts(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	entries, err := s.Audit(ctxT(t), ws, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, a := range entries {
		n[a.What]++
	}
	return n
}

func raise(t *testing.T, s *store.Store, ref, by string, at time.Time) record.Escalation {
	t.Helper()
	e, err := s.Escalate(ctxT(t), ws, record.Escalation{
		Ref: ref, Outcome: "pos", Reason: "blocked", RaisedBy: by, RaisedIn: "C1", RaisedAt: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEscalateNumbersAndStores(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	for i := int64(1); i <= 3; i++ {
		e := raise(t, s, fmt.Sprint("INC", i), "U1", t0.Add(time.Duration(i)*time.Minute))
		if e.N != i || e.State != record.StateOpen {
			t.Fatalf("escalation %d: N=%d state=%q", i, e.N, e.State)
		}
		got, err := s.GetEscalation(ctx, ws, i)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("GetEscalation(%d) = %+v, want %+v", i, got, e)
		}
	}
	if _, err := s.GetEscalation(ctx, ws, 99); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("GetEscalation(99): err = %v, want ErrNotFound", err)
	}
}

func TestAck(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	raise(t, s, "INC1", "U1", t0)
	e, first, err := storetest.Ack(ctx, s, ws, 1, "U2", "on it", t0.Add(time.Hour))
	if err != nil || !first {
		t.Fatalf("first ack: first=%v err=%v", first, err)
	}
	if e.State != record.StateAcknowledged || e.AckBy != "U2" || e.AckNote != "on it" || !e.AckAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("after ack: %+v", e)
	}
	again, first, err := storetest.Ack(ctx, s, ws, 1, "U3", "me too", t0.Add(2*time.Hour))
	if err != nil || first {
		t.Fatalf("second ack: first=%v err=%v", first, err)
	}
	if !reflect.DeepEqual(again, e) {
		t.Errorf("second ack changed the record: %+v", again)
	}
	_, _, err = storetest.Ack(ctx, s, ws, 2, "U2", "", t0)
	if !errors.Is(err, record.ErrNotFound) || err.Error() != "ack E-2: not found" {
		t.Errorf("ack of unknown: err = %v", err)
	}
}

func TestAckResolved(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	raise(t, s, "INC1", "U1", t0)
	if _, _, err := storetest.Resolve(ctx, s, ws, 1, "U2", "fixed", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	e, first, err := storetest.Ack(ctx, s, ws, 1, "U2", "", t0.Add(2*time.Hour))
	if !errors.Is(err, record.ErrResolved) || first {
		t.Fatalf("ack of resolved: first=%v err=%v", first, err)
	}
	if e.State != record.StateResolved || e.AckBy != "" {
		t.Errorf("ack of resolved changed it: %+v", e)
	}
}

func TestConcurrentAcks(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	raise(t, s, "INC1", "U1", t0)
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	var winners []string
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			actor := fmt.Sprint("U", i)
			_, first, err := storetest.Ack(ctx, s, ws, 1, actor, "", t0.Add(time.Duration(i)*time.Second))
			if err != nil {
				errs <- err
				return
			}
			if first {
				mu.Lock()
				winners = append(winners, actor)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(winners) != 1 {
		t.Fatalf("%d callers were first: %v", len(winners), winners)
	}
	e, err := s.GetEscalation(ctx, ws, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e.AckBy != winners[0] {
		t.Errorf("record acknowledged by %q, first caller was %q", e.AckBy, winners[0])
	}
	if acks := auditCounts(t, s)["ack"]; acks != 1 {
		t.Errorf("%d ack audit entries, want 1", acks)
	}
}

func TestResolveTwice(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	raise(t, s, "INC1", "U1", t0)
	raise(t, s, "INC2", "U1", t0)
	if _, _, err := storetest.Ack(ctx, s, ws, 2, "U2", "", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{1, 2} { // from open, and from acknowledged
		e, first, err := storetest.Resolve(ctx, s, ws, n, "U2", "done", t0.Add(time.Hour))
		if err != nil || !first || e.State != record.StateResolved || e.ResolvedBy != "U2" || e.ResolveNote != "done" {
			t.Fatalf("resolve E-%d: %+v first=%v err=%v", n, e, first, err)
		}
		again, first, err := storetest.Resolve(ctx, s, ws, n, "U3", "again", t0.Add(2*time.Hour))
		if err != nil || first || !reflect.DeepEqual(again, e) {
			t.Errorf("second resolve E-%d: %+v first=%v err=%v", n, again, first, err)
		}
	}
	if _, _, err := storetest.Resolve(ctx, s, ws, 3, "U2", "", t0); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("resolve unknown: err = %v", err)
	}
	open, err := s.ListEscalations(ctx, ws, record.EscalationFilter{OpenOnly: true})
	if err != nil || len(open) != 0 {
		t.Errorf("open after resolving all: %v, %v", open, err)
	}
}

func TestClaimReminder(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	raise(t, s, "INC1", "U1", t0)
	steps := []struct {
		step    int
		want    bool
		wantRem int
	}{
		{1, true, 1}, {1, false, 1}, {2, true, 2}, {2, false, 2}, {1, false, 2},
	}
	for i, st := range steps {
		at := t0.Add(time.Duration(i+1) * time.Hour)
		e, ok, err := s.ClaimReminder(ctx, ws, 1, st.step, at)
		if err != nil || ok != st.want || e.Reminders != st.wantRem {
			t.Errorf("claim %d (step %d): ok=%v reminders=%d err=%v", i, st.step, ok, e.Reminders, err)
		}
		if ok && !e.RemindedAt.Equal(at) {
			t.Errorf("claim %d: RemindedAt = %v, want %v", i, e.RemindedAt, at)
		}
	}
	raise(t, s, "INC2", "U1", t0)
	if _, _, err := storetest.Ack(ctx, s, ws, 2, "U2", "", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if e, ok, err := s.ClaimReminder(ctx, ws, 2, 1, t0.Add(time.Hour)); err != nil || ok || e.Reminders != 0 {
		t.Errorf("claim after ack: ok=%v %+v err=%v", ok, e, err)
	}
	if _, _, err := s.ClaimReminder(ctx, ws, 3, 1, t0); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("claim unknown: err = %v", err)
	}
}

// TestSettleChecksRoleInTheSameStep: Settle refuses an actor without the
// role before looking at the escalation (so a refusal says nothing about
// whether E-n exists) and changes nothing; with the role it applies the
// change and returns the outcome for the card.
func TestSettleChecksRoleInTheSameStep(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	raise(t, s, "INC1", "U1", t0)
	need := []string{record.RoleITLead, record.RoleAdmin}
	for _, n := range []int64{1, 99} {
		for _, resolve := range []bool{false, true} {
			_, _, _, err := s.Settle(ctx, ws, record.Settlement{N: n, Resolve: resolve, Actor: "UMEMBER", At: t0, Roles: need})
			if !errors.Is(err, record.ErrForbidden) {
				t.Errorf("member settling E-%d (resolve %v): err = %v, want ErrForbidden", n, resolve, err)
			}
		}
	}
	if e, _ := s.GetEscalation(ctx, ws, 1); e.State != record.StateOpen || e.AckBy != "" {
		t.Fatalf("a refused settle changed E-1: %+v", e)
	}
	if _, err := s.Grant(ctx, ws, "UIT", record.RoleITLead, "U0", t0); err != nil {
		t.Fatal(err)
	}
	e, o, first, err := s.Settle(ctx, ws, record.Settlement{N: 1, Actor: "UIT", Note: "on it", At: t0.Add(time.Hour), Roles: need})
	if err != nil || !first || e.AckBy != "UIT" || e.AckNote != "on it" || o.Key != "pos" || o.Title != "pos" {
		t.Fatalf("it-lead ack: first=%v %+v outcome %+v, %v", first, e, o, err)
	}
	if _, _, first, err := s.Settle(ctx, ws, record.Settlement{N: 1, Actor: "UIT", At: t0.Add(2 * time.Hour), Roles: need}); err != nil || first {
		t.Errorf("second ack: first=%v, %v; want false, nil", first, err)
	}
	if _, err := s.Revoke(ctx, ws, "UIT", record.RoleITLead, "U0", t0); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Settle(ctx, ws, record.Settlement{N: 1, Resolve: true, Actor: "UIT", At: t0.Add(3 * time.Hour), Roles: need}); !errors.Is(err, record.ErrForbidden) {
		t.Errorf("resolve after the role was revoked: %v, want ErrForbidden", err)
	}
	e, _, first, err = s.Settle(ctx, ws, record.Settlement{N: 1, Resolve: true, Actor: "UBOSS", At: t0.Add(4 * time.Hour)})
	if err != nil || !first || e.State != record.StateResolved || e.ResolvedBy != "UBOSS" {
		t.Errorf("resolve with no role check (configured admin): first=%v %+v, %v", first, e, err)
	}
}

// TestReleaseReminder: a claimed step whose post failed is given back at
// most `retries` times, only while the escalation is open and the ladder
// has not moved on.
func TestReleaseReminder(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	raise(t, s, "INC1", "U1", t0)
	if ok, err := s.ReleaseReminder(ctx, ws, 1, 1, 2, t0); err != nil || ok {
		t.Errorf("release of an unclaimed step: %v, %v", ok, err)
	}
	for i := range 3 {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		if _, ok, err := s.ClaimReminder(ctx, ws, 1, 1, at); err != nil || !ok {
			t.Fatalf("claim %d: %v, %v", i, ok, err)
		}
		released, err := s.ReleaseReminder(ctx, ws, 1, 1, 2, at)
		if err != nil || released != (i < 2) {
			t.Fatalf("release %d: %v, %v; want released only for the first 2", i, released, err)
		}
	}
	if e, _ := s.GetEscalation(ctx, ws, 1); e.Reminders != 1 {
		t.Errorf("after giving up, reminders = %d, want the step kept (1)", e.Reminders)
	}
	if _, ok, _ := s.ClaimReminder(ctx, ws, 1, 1, t0.Add(time.Hour)); ok {
		t.Error("a given-up step was claimed again")
	}

	raise(t, s, "INC2", "U1", t0)
	if _, ok, err := s.ClaimReminder(ctx, ws, 2, 1, t0.Add(time.Hour)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, _, err := storetest.Ack(ctx, s, ws, 2, "U2", "", t0.Add(61*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ReleaseReminder(ctx, ws, 2, 1, 5, t0.Add(62*time.Minute)); !errors.Is(err, record.ErrNotOpen) || ok {
		t.Errorf("release after ack: %v, %v; want ErrNotOpen", ok, err)
	}

	// The same release sent twice (a lost reply): both say released, and
	// it counts as one retry.
	raise(t, s, "INC3", "U1", t0)
	if _, ok, err := s.ClaimReminder(ctx, ws, 3, 1, t0.Add(time.Hour)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	for i := range 2 {
		if ok, err := s.ReleaseReminder(ctx, ws, 3, 1, 1, t0.Add(61*time.Minute)); err != nil || !ok {
			t.Fatalf("release sent %d times: %v, %v; want released", i+1, ok, err)
		}
	}
	if _, ok, _ := s.ClaimReminder(ctx, ws, 3, 1, t0.Add(62*time.Minute)); !ok {
		t.Fatal("the released step could not be claimed again")
	}
	if ok, err := s.ReleaseReminder(ctx, ws, 3, 1, 1, t0.Add(63*time.Minute)); err != nil || ok {
		t.Errorf("second failure with 1 retry allowed: %v, %v; want given up (the resend counted once)", ok, err)
	}
	if _, err := s.ReleaseReminder(ctx, ws, 9, 1, 5, t0); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("release unknown: err = %v", err)
	}
	if seen := auditCounts(t, s); seen["reminder-retry"] != 3 || seen["reminder-failed"] != 2 {
		t.Errorf("audit %v: want 3 reminder-retry and 2 reminder-failed", seen)
	}
}

func TestSetEscalationMessage(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	raise(t, s, "INC1", "U1", t0)
	if err := s.SetEscalationMessage(ctx, ws, 1, "card", "C9", "111.222"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEscalationMessage(ctx, ws, 1, "announce", "C1", "333.444"); err != nil {
		t.Fatal(err)
	}
	e, err := s.GetEscalation(ctx, ws, 1)
	if err != nil || e.CardChannel != "C9" || e.CardID != "111.222" || e.AnnounceChannel != "C1" || e.AnnounceID != "333.444" {
		t.Errorf("after SetEscalationMessage: %+v, %v", e, err)
	}
	if err := s.SetEscalationMessage(ctx, ws, 2, "card", "C9", "x"); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("unknown escalation: err = %v", err)
	}
	if err := s.SetEscalationMessage(ctx, ws, 1, "bogus", "C9", "x"); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := s.Client().HGetAll(ctx, s.Prefix()+":{"+ws+"}:esc:2").Result(); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Client().Exists(ctx, s.Prefix()+":{"+ws+"}:esc:2").Result(); n != 0 {
		t.Error("SetEscalationMessage created a missing escalation")
	}
}

func TestListEscalations(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	for i := range 8 {
		by := "U1"
		if i%2 == 1 {
			by = "U2"
		}
		raise(t, s, fmt.Sprint("INC", i+1), by, t0.Add(time.Duration(i)*time.Minute))
	}
	for _, n := range []int64{2, 5, 8} {
		if _, _, err := storetest.Resolve(ctx, s, ws, n, "U9", "", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		f    record.EscalationFilter
		want string
	}{
		{record.EscalationFilter{}, "[8 7 6 5 4 3 2 1]"},
		{record.EscalationFilter{Limit: 3}, "[8 7 6]"},
		{record.EscalationFilter{OpenOnly: true}, "[7 6 4 3 1]"},
		{record.EscalationFilter{RaisedBy: "U2"}, "[8 6 4 2]"},
		{record.EscalationFilter{RaisedBy: "U2", OpenOnly: true}, "[6 4]"},
		{record.EscalationFilter{RaisedBy: "U1", OpenOnly: true, Limit: 2}, "[7 3]"},
		{record.EscalationFilter{RaisedBy: "nobody"}, "[]"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%+v", c.f), func(t *testing.T) {
			got, err := s.ListEscalations(ctx, ws, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var ns []int64
			for _, e := range got {
				ns = append(ns, e.N)
			}
			if fmtSlice(ns) != c.want {
				t.Errorf("got %v, want %v", ns, c.want)
			}
		})
	}
}

func TestEscalateRequestRoutes(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if err := s.CreateOutcome(ctx, ws, record.Outcome{Key: "pos", Title: "POS", Status: record.OutcomeActive, ITChannel: "CIT", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	raise := record.Escalation{Ref: "INC1", Reason: "down", RaisedBy: "U1", RaisedIn: "C1", RaisedAt: t0}
	if _, _, _, err := s.EscalateRequest(ctx, ws, raise); !errors.Is(err, record.ErrUntagged) {
		t.Fatalf("unknown request: err = %v, want ErrUntagged", err)
	}
	if _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0); err != nil {
		t.Fatal(err)
	}
	e, o, _, err := s.EscalateRequest(ctx, ws, raise)
	if err != nil || e.N != 1 || e.Outcome != "pos" || o.ITChannel != "CIT" {
		t.Fatalf("got %+v %+v %v", e, o, err)
	}
	got, err := s.GetEscalation(ctx, ws, 1)
	if err != nil || got.Outcome != "pos" || got.Reason != "down" || got.State != record.StateOpen {
		t.Fatalf("stored %+v %v", got, err)
	}
	if _, err := s.Tag(ctx, ws, "INC2", "pos", "U1", "", t0); err != nil {
		t.Fatal(err)
	}
	o.Status = record.OutcomeArchived
	if err := s.UpdateOutcome(ctx, ws, o, "U0", t0); err != nil {
		t.Fatal(err)
	}
	raise.Ref = "INC2"
	if _, _, _, err := s.EscalateRequest(ctx, ws, raise); !errors.Is(err, record.ErrArchived) {
		t.Fatalf("archived outcome: err = %v, want ErrArchived", err)
	}
	if _, err := s.GetEscalation(ctx, ws, 2); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("a refused escalation was stored: %v", err)
	}
}

// TestEscalateRequestResentOnce: a call resent after a lost reply raises
// one escalation, not two.
func TestEscalateRequestResentOnce(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0); err != nil {
		t.Fatal(err)
	}
	a, b, err := store.EscalateRequestTwice(ctx, s, ws, record.Escalation{Ref: "INC1", Reason: "down", RaisedBy: "U1", RaisedIn: "C1", RaisedAt: t0})
	if err != nil || a != 1 || b != 1 {
		t.Fatalf("resent call raised E-%d then E-%d (%v), want E-1 once", a, b, err)
	}
	if _, err := s.GetEscalation(ctx, ws, 2); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("a second escalation exists: %v", err)
	}
	list, _ := s.ListEscalations(ctx, ws, record.EscalationFilter{})
	if len(list) != 1 {
		t.Fatalf("%d escalations listed, want 1", len(list))
	}
}

// TestEscalateRequestJoins: escalating a request that has an open
// escalation raises nothing new; the caller joins it once, and after it is
// resolved the next escalation is a new one.
func TestEscalateRequestJoins(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0); err != nil {
		t.Fatal(err)
	}
	raise := func(user, channel, reason string, at time.Time) (record.Escalation, record.Raise) {
		t.Helper()
		e, _, raise, err := s.EscalateRequest(ctx, ws, record.Escalation{Ref: "INC1", Reason: reason, RaisedBy: user, RaisedIn: channel, RaisedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return e, raise
	}
	if e, r := raise("U1", "C1", "tills down", t0); r != record.Raised || e.N != 1 {
		t.Fatalf("first raise: E-%d %v", e.N, r)
	}
	before, _ := s.Audit(ctx, ws, 100)
	e, r := raise("U2", "C2", "same here", t0.Add(time.Hour))
	if r != record.Joined || e.N != 1 || e.RaisedBy != "U1" || len(e.Also) != 1 || e.Also[0].By != "U2" || e.Also[0].In != "C2" ||
		e.Also[0].Reason != "same here" || !e.Also[0].At.Equal(t0.Add(time.Hour)) {
		t.Fatalf("second raise: %v %+v", r, e)
	}
	after, _ := s.Audit(ctx, ws, 100)
	if len(after) != len(before)+1 {
		t.Errorf("a join wrote %d audit entries, want 1", len(after)-len(before))
	}
	for _, u := range []string{"U2", "U1"} { // already waiting: nothing changes
		if e, r := raise(u, "C9", "again", t0.Add(2*time.Hour)); r != record.AlreadyWaiting || len(e.Also) != 1 {
			t.Fatalf("%s again: %v also=%+v", u, r, e.Also)
		}
	}
	if got, _ := s.Audit(ctx, ws, 100); len(got) != len(after) {
		t.Errorf("raising again while waiting wrote to the audit")
	}
	mine, _ := s.ListEscalations(ctx, ws, record.EscalationFilter{RaisedBy: "U2"})
	if len(mine) != 1 || mine[0].N != 1 {
		t.Errorf("U2's escalations = %+v, want E-1 (joined)", mine)
	}
	if _, _, err := storetest.Resolve(ctx, s, ws, 1, "UIT", "", t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if e, r := raise("U3", "C3", "back again", t0.Add(4*time.Hour)); r != record.Raised || e.N != 2 {
		t.Fatalf("after resolve: E-%d %v, want a new E-2", e.N, r)
	}
}

// TestEscalateRequestConcurrentRaisesOne: 50 people escalating one request
// at the same moment raise exactly one escalation; the others join it.
func TestEscalateRequestConcurrentRaisesOne(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var raised atomic.Int64
	for i := range 50 {
		wg.Go(func() {
			_, _, r, err := s.EscalateRequest(ctx, ws, record.Escalation{Ref: "INC1", Reason: "down", RaisedBy: fmt.Sprint("U", i), RaisedIn: "C1", RaisedAt: t0})
			if err != nil {
				t.Error(err)
			}
			if r == record.Raised {
				raised.Add(1)
			}
		})
	}
	wg.Wait()
	list, _ := s.ListEscalations(ctx, ws, record.EscalationFilter{})
	if raised.Load() != 1 || len(list) != 1 || len(list[0].Also) != 49 {
		t.Fatalf("%d raised, %d listed, %d joined; want 1, 1, 49", raised.Load(), len(list), len(list[0].Also))
	}
}

// TestAttachTicket: a ticketless escalation takes a ticket once; a ticket
// whose request has another open escalation is refused; nothing changes on
// a refusal.
func TestAttachTicket(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	for _, ref := range []string{"INC1", "INC2"} {
		if _, err := s.Tag(ctx, ws, ref, "pos", "U1", "", t0); err != nil {
			t.Fatal(err)
		}
	}
	raise := func(ref string) int64 {
		e, _, _, err := s.EscalateRequest(ctx, ws, record.Escalation{Ref: ref, Outcome: "pos", Reason: "down", RaisedBy: "U1", RaisedIn: "C1", RaisedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		return e.N
	}
	loose, busy := raise(""), raise("INC2")
	if _, err := s.AttachTicket(ctx, ws, loose, "INC2", "U1", t0); !errors.Is(err, record.ErrDuplicate) {
		t.Fatalf("INC2 has E-%d open: err = %v, want ErrDuplicate", busy, err)
	}
	if _, err := s.AttachTicket(ctx, ws, 99, "INC1", "U1", t0); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("unknown escalation: %v", err)
	}
	e, err := s.AttachTicket(ctx, ws, loose, "INC1", "U1", t0)
	if err != nil || e.Ref != "INC1" {
		t.Fatalf("attach: %+v %v", e, err)
	}
	if _, err := s.AttachTicket(ctx, ws, loose, "INC3", "U1", t0); !errors.Is(err, record.ErrExists) {
		t.Fatalf("second ticket: %v", err)
	}
	if _, _, r, _ := s.EscalateRequest(ctx, ws, record.Escalation{Ref: "INC1", Reason: "x", RaisedBy: "U2", RaisedIn: "C2", RaisedAt: t0}); r != record.Joined {
		t.Errorf("escalating INC1 after the attach: %v, want Joined", r)
	}
}

// TestEscalationReviewFixes: a resent join answers 'joined' again; a ticket
// the store has never seen still routes later escalations to its open one;
// reopening refuses when the ticket has another open escalation and clears
// an old snooze; a resent note writes once.
func TestEscalationReviewFixes(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0); err != nil {
		t.Fatal(err)
	}
	raise := func(ref, user string, at time.Time) (record.Escalation, record.Raise) {
		t.Helper()
		e, _, r, err := s.EscalateRequest(ctx, ws, record.Escalation{Ref: ref, Outcome: "pos", Reason: "down", RaisedBy: user, RaisedIn: "C1", RaisedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return e, r
	}
	raise("INC1", "U1", t0)
	ns, statuses, err := store.EscalateRequestTwiceStatus(ctx, s, ws, record.Escalation{Ref: "INC1", Reason: "me too", RaisedBy: "U2", RaisedIn: "C2", RaisedAt: t0})
	if err != nil || ns != [2]int64{1, 1} || statuses != [2]string{"joined", "joined"} {
		t.Fatalf("resent join: %v %v %v, want joined E-1 twice", ns, statuses, err)
	}

	if e, r := raise("INC99", "U1", t0); r != record.Raised || e.N != 2 {
		t.Fatalf("unseen ticket: E-%d %v", e.N, r)
	}
	if e, r := raise("INC99", "U3", t0); r != record.Joined || e.N != 2 {
		t.Fatalf("unseen ticket, second person: E-%d %v, want to join E-2", e.N, r)
	}

	if _, _, err := s.Snooze(ctx, ws, 1, "U1", t0.Add(48*time.Hour), t0, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := storetest.Resolve(ctx, s, ws, 1, "UIT", "", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if e, r := raise("INC1", "U4", t0.Add(2*time.Hour)); r != record.Raised || e.N != 3 {
		t.Fatalf("after resolve: E-%d %v, want a new E-3", e.N, r)
	}
	if _, _, err := s.Reopen(ctx, ws, 1, "U1", "back", t0.Add(3*time.Hour), 14*24*time.Hour, nil); !errors.Is(err, record.ErrDuplicate) {
		t.Fatalf("reopen with E-3 open on INC1: %v, want ErrDuplicate", err)
	}
	if _, _, err := storetest.Resolve(ctx, s, ws, 3, "UIT", "", t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e, _, err := s.Reopen(ctx, ws, 1, "U1", "back", t0.Add(5*time.Hour), 14*24*time.Hour, nil)
	if err != nil || !e.SnoozedUntil.IsZero() || e.State != record.StateOpen {
		t.Fatalf("reopen: %+v %v, want open with no snooze", e, err)
	}
	if e, r := raise("INC1", "U5", t0.Add(6*time.Hour)); r != record.Joined || e.N != 1 {
		t.Fatalf("escalating INC1 after the reopen: E-%d %v, want to join E-1", e.N, r)
	}

	before, _ := s.Audit(ctx, ws, 1000)
	for range 2 {
		if _, _, err := s.AddNote(ctx, ws, 1, "UIT", "on it", t0.Add(7*time.Hour), nil); err != nil {
			t.Fatal(err)
		}
	}
	if after, _ := s.Audit(ctx, ws, 1000); len(after) != len(before)+1 {
		t.Errorf("a resent note wrote %d audit entries, want 1", len(after)-len(before))
	}
}
