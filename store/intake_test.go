package store_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// intake runs one batch and fails the test on a batch error.
func intake(t *testing.T, s *store.Store, opts record.IntakeOptions, items ...record.IntakeItem) []record.IntakeResult {
	t.Helper()
	if opts.Actor == "" {
		opts.Actor = "jira"
	}
	if opts.At.IsZero() {
		opts.At = t0
	}
	res, err := s.Intake(ctxT(t), ws, items, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(items) {
		t.Fatalf("%d results for %d items", len(res), len(items))
	}
	return res
}

func scard(t *testing.T, s *store.Store, outcome string) int64 {
	t.Helper()
	n, err := s.Client().SCard(ctxT(t), taggedKey(s, outcome)).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIntakeLifecycle: create, re-deliver, update, close, reopen, re-tag.
func TestIntakeLifecycle(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos", "infra")
	opened := t0.Add(-2 * time.Hour)
	item := record.IntakeItem{Ref: "OPS-7", Title: "Till reader fails", Requester: "Maria Lopez",
		URL: "https://acme.atlassian.net/browse/OPS-7", Source: "jira", Opened: opened, Outcome: "pos"}

	steps := []struct {
		name     string
		edit     func(*record.IntakeItem)
		verdict  string
		changed  []string
		pos, inf int64
		status   string
	}{
		{"create", func(*record.IntakeItem) {}, record.IntakeCreated, []string{"title", "requester", "url", "opened", "source"}, 1, 0, record.RequestOpen},
		{"re-delivery", func(*record.IntakeItem) {}, record.IntakeUnchanged, nil, 1, 0, record.RequestOpen},
		{"new title", func(i *record.IntakeItem) { i.Title = "Till reader fails in Leeds" }, record.IntakeUpdated, []string{"title"}, 1, 0, record.RequestOpen},
		{"closed", func(i *record.IntakeItem) { i.Status = record.RequestClosed }, record.IntakeUpdated, []string{"status"}, 0, 0, record.RequestClosed},
		{"closed again", func(*record.IntakeItem) {}, record.IntakeUnchanged, nil, 0, 0, record.RequestClosed},
		{"reopened", func(i *record.IntakeItem) { i.Status = record.RequestOpen }, record.IntakeUpdated, []string{"status"}, 1, 0, record.RequestOpen},
		{"re-tagged", func(i *record.IntakeItem) { i.Outcome = "infra" }, record.IntakeUpdated, nil, 0, 1, record.RequestOpen},
		{"no outcome keeps it", func(i *record.IntakeItem) { i.Outcome = "" }, record.IntakeUnchanged, nil, 0, 1, record.RequestOpen},
		{"untag", func(i *record.IntakeItem) { i.Untag = true }, record.IntakeUpdated, nil, 0, 0, record.RequestOpen},
	}
	for i, st := range steps {
		st.edit(&item)
		r := intake(t, s, record.IntakeOptions{At: t0.Add(time.Duration(i) * time.Minute)}, item)[0]
		if r.Err != nil || r.Verdict != st.verdict || !slices.Equal(r.Changed, st.changed) {
			t.Errorf("%s: %+v, want %s changing %v", st.name, r, st.verdict, st.changed)
		}
		if got, got2 := scard(t, s, "pos"), scard(t, s, "infra"); got != st.pos || got2 != st.inf {
			t.Errorf("%s: open sets pos=%d infra=%d, want %d %d", st.name, got, got2, st.pos, st.inf)
		}
		req, err := s.GetRequest(ctx, ws, "OPS-7")
		if err != nil || req.Status != st.status {
			t.Errorf("%s: request %+v, %v", st.name, req, err)
		}
	}
	req, _ := s.GetRequest(ctx, ws, "OPS-7")
	if req.Source != "jira" || req.Title != "Till reader fails in Leeds" || req.Requester != "Maria Lopez" || !req.FirstSeen.Equal(t0) {
		t.Errorf("request = %+v", req)
	}
	want := []string{"→pos", "pos→infra", "infra→"}
	var got []string
	for _, h := range req.History {
		got = append(got, h.From+"→"+h.To)
		if h.By != "jira" {
			t.Errorf("history by %q, want jira", h.By)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
}

// TestIntakeTagsLikeTag: an intake that tags leaves the same history, tag
// index and audit detail as /tag.
func TestIntakeTagsLikeTag(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "INC1", "pos", "jira", "note", t0); err != nil {
		t.Fatal(err)
	}
	intake(t, s, record.IntakeOptions{Note: "note"}, record.IntakeItem{Ref: "INC2", Source: "jira", Outcome: "pos"})
	a, _ := s.GetRequest(ctx, ws, "INC1")
	b, _ := s.GetRequest(ctx, ws, "INC2")
	if fmtSlice(a.History) != fmtSlice(b.History) || a.Outcome != b.Outcome || a.Status != b.Status {
		t.Errorf("tag %+v\nintake %+v", a, b)
	}
	d, err := s.DigestData(ctx, ws, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tags) != 2 || d.Tags[0].Outcome != d.Tags[1].Outcome || d.Tags[1].By != "jira" {
		t.Errorf("tag events %+v", d.Tags)
	}
	audit, err := s.Audit(ctx, ws, 10)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range audit {
		details = append(details, e.What+" "+e.Detail)
	}
	for _, w := range []string{"tag INC1: none -> pos", "tag INC2: none -> pos", "intake.create INC2 from jira"} {
		if !slices.Contains(details, w) {
			t.Errorf("audit lacks %q: %v", w, details)
		}
	}
	if scard(t, s, "pos") != 2 {
		t.Errorf("open set has %d refs, want 2", scard(t, s, "pos"))
	}
}

// TestIntakeRejectsWithoutWriting: unknown and archived outcomes are
// rejected with nothing written, and never block the good items.
func TestIntakeRejectsWithoutWriting(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos", "old")
	o, _ := s.GetOutcome(ctx, ws, "old")
	o.Status = record.OutcomeArchived
	if err := s.UpdateOutcome(ctx, ws, o, "U0", t0); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Audit(ctx, ws, 1000)
	res := intake(t, s, record.IntakeOptions{},
		record.IntakeItem{Ref: "INC1", Source: "api", Outcome: "nope"},
		record.IntakeItem{Ref: "INC2", Source: "api", Title: "fine"},
		record.IntakeItem{Ref: "INC3", Source: "api", Outcome: "old"},
		record.IntakeItem{Ref: "INC4", Source: "api", Outcome: "pos"},
	)
	if !errors.Is(res[0].Err, record.ErrNotFound) || res[1].Verdict != record.IntakeCreated ||
		!errors.Is(res[2].Err, record.ErrArchived) || res[3].Verdict != record.IntakeCreated || !res[3].Tagged() {
		t.Fatalf("results %+v", res)
	}
	for _, ref := range []string{"INC1", "INC3"} {
		if _, err := s.GetRequest(ctx, ws, ref); !errors.Is(err, record.ErrNotFound) {
			t.Errorf("rejected %s was written: %v", ref, err)
		}
	}
	after, _ := s.Audit(ctx, ws, 1000)
	if len(after)-len(before) != 3 { // create INC2, create INC4, tag INC4
		t.Errorf("%d audit entries added, want 3", len(after)-len(before))
	}
}

// TestIntakeChatRequestTakesSource: a request first tagged in chat takes
// the ITSM's source and keeps its outcome when the item names none.
func TestIntakeChatRequestTakesSource(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "INC9", "pos", "U1", "", t0); err != nil {
		t.Fatal(err)
	}
	r := intake(t, s, record.IntakeOptions{}, record.IntakeItem{Ref: "INC9", Source: "servicenow", Title: "VPN down"})[0]
	if r.Verdict != record.IntakeUpdated || r.Outcome != "pos" || r.Tagged() {
		t.Errorf("result %+v", r)
	}
	req, _ := s.GetRequest(ctx, ws, "INC9")
	if req.Source != "servicenow" || req.Outcome != "pos" {
		t.Errorf("request %+v", req)
	}
	r = intake(t, s, record.IntakeOptions{}, record.IntakeItem{Ref: "INC9", Source: "csv"})[0]
	if r.Verdict != record.IntakeUnchanged {
		t.Errorf("a second source changed the request: %+v", r)
	}
}

// TestIntakeReceivedWindow: requests are received at their opened date when
// the source gives one, else when first seen; a later opened date moves them.
func TestIntakeReceivedWindow(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	week := 7 * 24 * time.Hour
	intake(t, s, record.IntakeOptions{At: t0.Add(week)},
		record.IntakeItem{Ref: "OLD-1", Source: "csv", Opened: t0.Add(-week)},
		record.IntakeItem{Ref: "NEW-1", Source: "csv"},
		record.IntakeItem{Ref: "MID-1", Source: "csv", Opened: t0.Add(time.Hour)},
	)
	got := func(from, to time.Time) []string {
		rs, err := s.RequestsReceived(ctx, ws, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, r := range rs {
			refs = append(refs, r.Ref)
		}
		return refs
	}
	if g := got(t0, t0.Add(week)); !slices.Equal(g, []string{"MID-1"}) {
		t.Errorf("this week: %v", g)
	}
	if g := got(t0.Add(week), t0.Add(2*week)); !slices.Equal(g, []string{"NEW-1"}) {
		t.Errorf("next week: %v", g)
	}
	intake(t, s, record.IntakeOptions{}, record.IntakeItem{Ref: "NEW-1", Source: "csv", Opened: t0.Add(2 * time.Hour)})
	if g := got(t0, t0.Add(week)); !slices.Equal(g, []string{"MID-1", "NEW-1"}) {
		t.Errorf("after a new opened date: %v", g)
	}
	d, err := s.DigestData(ctx, ws, t0, t0.Add(week))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.NewRequests) != 2 || !d.NewRequests[0].Received().Equal(t0.Add(time.Hour)) || d.NewRequests[0].Source != "csv" {
		t.Errorf("digest new requests %+v", d.NewRequests)
	}
}

// TestIntakeRunDuplicatesAndDryRun: a run rejects a repeated reference with
// the first one's line; a dry run reports without writing.
func TestIntakeRunDuplicatesAndDryRun(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	intake(t, s, record.IntakeOptions{}, record.IntakeItem{Ref: "INC5", Source: "csv", Title: "old"})
	before, _ := s.Audit(ctx, ws, 1000)
	dry := record.IntakeOptions{DryRun: true, Run: "r1", Actor: "csv"}
	res := intake(t, s, dry,
		record.IntakeItem{Ref: "INC5", Source: "csv", Title: "new", Seen: "2"},
		record.IntakeItem{Ref: "INC6", Source: "csv", Outcome: "pos", Seen: "3"},
		record.IntakeItem{Ref: "INC5", Source: "csv", Seen: "4"},
		record.IntakeItem{Ref: "INC7", Source: "csv", Outcome: "nope", Seen: "5"},
		record.IntakeItem{Ref: "INC7", Source: "csv", Seen: "6"},
	)
	if res[0].Verdict != record.IntakeUpdated || res[1].Verdict != record.IntakeCreated || res[1].Outcome != "pos" ||
		!errors.Is(res[2].Err, record.ErrDuplicate) || res[2].FirstSeen != "2" ||
		!errors.Is(res[3].Err, record.ErrNotFound) || res[4].Verdict != record.IntakeCreated {
		t.Fatalf("dry run results %+v", res)
	}
	after, _ := s.Audit(ctx, ws, 1000)
	r5, _ := s.GetRequest(ctx, ws, "INC5")
	if len(after) != len(before) || r5.Title != "old" {
		t.Errorf("dry run wrote: audit %d→%d, INC5 %+v", len(before), len(after), r5)
	}
	if _, err := s.GetRequest(ctx, ws, "INC6"); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("dry run created INC6: %v", err)
	}
	if err := s.EndImportRun(ctx, ws, "r1"); err != nil {
		t.Fatal(err)
	}
	res = intake(t, s, record.IntakeOptions{Run: "r1"}, record.IntakeItem{Ref: "INC5", Source: "csv", Seen: "9"})
	if res[0].Err != nil {
		t.Errorf("a new run still sees the old one's refs: %+v", res[0])
	}
}

// TestIntakeBatchIsOneRoundTrip counts what a batch of 200 items sends, and
// checks a flushed script cache costs one retry, not a failure.
func TestIntakeBatchIsOneRoundTrip(t *testing.T) {
	// Not parallel: SCRIPT FLUSH is server-wide, and a parallel test's
	// pipelined EVALSHA (the seeder's) would see NOSCRIPT.
	ctx := ctxT(t)
	rdb := storetest.Client(t)
	h := &roundTrips{}
	rdb.AddHook(h)
	s := store.New(rdb, store.Options{Prefix: storetest.New(t).Prefix()})
	items := make([]record.IntakeItem, 200)
	for i := range items {
		items[i] = record.IntakeItem{Ref: fmt.Sprint("INC", i), Source: "api", Title: "t"}
	}
	if _, err := s.Intake(ctx, ws, items[:1], record.IntakeOptions{Actor: "api", At: t0}); err != nil { // loads the script
		t.Fatal(err)
	}
	h.N.Store(0)
	res, err := s.Intake(ctx, ws, items, record.IntakeOptions{Actor: "api", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if n := h.N.Load(); n != 1 {
		t.Errorf("a batch of %d took %d round trips, want 1", len(items), n)
	}
	if res[0].Verdict != record.IntakeUnchanged || res[199].Verdict != record.IntakeCreated {
		t.Errorf("results %+v … %+v", res[0], res[199])
	}
	if storetest.Kind() != "miniredis" {
		if err := rdb.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		items[0].Title = "after flush"
		res, err = s.Intake(ctx, ws, items[:2], record.IntakeOptions{Actor: "api", At: t0})
		if err != nil || res[0].Verdict != record.IntakeUpdated || res[1].Verdict != record.IntakeUnchanged {
			t.Fatalf("after SCRIPT FLUSH: %+v, %v", res, err)
		}
	}
}

// TestIntakeWorkspaceIsolation: one workspace's intake never shows in another.
func TestIntakeWorkspaceIsolation(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if _, err := s.Intake(ctx, "T2", []record.IntakeItem{{Ref: "INC1", Source: "api"}}, record.IntakeOptions{Actor: "api", At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRequest(ctx, ws, "INC1"); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("T2's request is visible in %s: %v", ws, err)
	}
	if _, err := s.Intake(ctx, "bad{ws}", []record.IntakeItem{{Ref: "INC1"}}, record.IntakeOptions{}); err == nil {
		t.Error("a workspace id with braces was accepted")
	}
	wss, _ := s.Workspaces(ctx)
	if !slices.Contains(wss, "T2") {
		t.Errorf("workspaces %v lack T2", wss)
	}
}

// TestEachRequestAndEscalationsByRef walks every request in pages with its
// history and groups escalations by request.
func TestEachRequestAndEscalationsByRef(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	var items []record.IntakeItem
	for i := range 7 {
		items = append(items, record.IntakeItem{Ref: fmt.Sprint("INC", i), Source: "csv", Opened: t0.Add(time.Duration(i) * time.Hour)})
	}
	items[3].Outcome = "pos"
	intake(t, s, record.IntakeOptions{}, items...)
	for _, ref := range []string{"INC3", "INC3", "INC5"} {
		if _, err := s.Escalate(ctx, ws, record.Escalation{Ref: ref, Outcome: "pos", RaisedBy: "U1", RaisedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	var refs []string
	pages := 0
	err := s.EachRequest(ctx, ws, 3, func(rs []record.Request) error {
		pages++
		for _, r := range rs {
			refs = append(refs, r.Ref)
			if r.Ref == "INC3" && (len(r.History) != 1 || r.Outcome != "pos") {
				t.Errorf("INC3 = %+v", r)
			}
			if r.Opened.IsZero() {
				t.Errorf("%s has no opened date", r.Ref)
			}
		}
		return nil
	})
	if err != nil || pages != 3 || len(refs) != 7 || refs[0] != "INC0" || refs[6] != "INC6" {
		t.Errorf("walk: %d pages %v %v", pages, refs, err)
	}
	stop := errors.New("stop")
	if err := s.EachRequest(ctx, ws, 3, func([]record.Request) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn's error not returned: %v", err)
	}
	byRef, err := s.EscalationsByRef(ctx, ws)
	if err != nil || len(byRef["INC3"]) != 2 || byRef["INC3"][0].N != 1 || len(byRef["INC5"]) != 1 {
		t.Errorf("escalations by ref %+v %v", byRef, err)
	}
	got, err := s.GetRequests(ctx, ws, []string{"INC6", "NOPE", "INC1"})
	if err != nil || len(got) != 2 || got[0].Ref != "INC6" || got[1].Ref != "INC1" {
		t.Errorf("GetRequests %+v %v", got, err)
	}
}

// TestTriageBookkeeping: the triage channel setting is audited, a week's
// triage is claimed once per channel, and messages keep their lists.
func TestTriageBookkeeping(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	if set, _ := s.GetTriageSettings(ctx, ws); set.Channel != "" {
		t.Fatalf("unset settings %+v", set)
	}
	if prev, err := s.SetTriageChannel(ctx, ws, "CTRIAGE", "U1", t0); err != nil || prev != "" {
		t.Fatalf("set: %q %v", prev, err)
	}
	set, _ := s.GetTriageSettings(ctx, ws)
	if set.Channel != "CTRIAGE" || set.By != "U1" || !set.At.Equal(t0) {
		t.Errorf("settings %+v", set)
	}
	if prev, _ := s.SetTriageChannel(ctx, ws, "", "U1", t0); prev != "CTRIAGE" {
		t.Errorf("clear returned %q", prev)
	}
	audit, _ := s.Audit(ctx, ws, 2)
	if len(audit) != 2 || audit[0].What != "triage.channel" || audit[1].Detail != "CTRIAGE" {
		t.Errorf("audit %+v", audit)
	}

	claim := func(holder string) bool {
		ok, err := s.ClaimTriage(ctx, ws, "CIT", "2026-W45", holder, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !claim("a") || claim("b") {
		t.Fatal("a second holder claimed a held week")
	}
	if err := s.ReleaseTriage(ctx, ws, "CIT", "2026-W45", "a"); err != nil {
		t.Fatal(err)
	}
	if !claim("b") {
		t.Fatal("a released week could not be claimed")
	}
	if err := s.RecordTriage(ctx, ws, "CIT", "2026-W45", t0); err != nil {
		t.Fatal(err)
	}
	if claim("c") {
		t.Fatal("a posted week was claimed again")
	}

	m := record.TriageMessage{Week: "2026-W45", From: t0, To: t0.Add(time.Hour), Channel: "CIT", Part: 1, Parts: 1, Refs: []string{"INC1", "https://x.example/a b"}}
	id1, err := s.SaveTriageMessage(ctx, ws, m)
	if err != nil {
		t.Fatal(err)
	}
	id2, _ := s.SaveTriageMessage(ctx, ws, m)
	got, err := s.GetTriageMessage(ctx, ws, id1)
	if err != nil || id2 != id1+1 || !slices.Equal(got.Refs, m.Refs) || !got.From.Equal(t0) || got.Channel != "CIT" {
		t.Errorf("message %d/%d %+v %v", id1, id2, got, err)
	}
	if _, err := s.GetTriageMessage(ctx, ws, 99); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("unknown message: %v", err)
	}
}

// TestIntakeKeepsChatSourceWhenNothingChanges: a request tagged in chat
// keeps its source and updated time when an item (an export imported back)
// brings nothing new; an item with something new makes it the ITSM's.
func TestIntakeKeepsChatSourceWhenNothingChanges(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos")
	if _, err := s.Tag(ctx, ws, "INC0040077", "pos", "UBIZ", "tills in Hull", t0); err != nil {
		t.Fatal(err)
	}
	before, err := s.GetRequest(ctx, ws, "INC0040077")
	if err != nil || before.Source != "chat" {
		t.Fatalf("tagged %+v %v", before, err)
	}
	same := record.IntakeItem{Ref: "INC0040077", Status: record.RequestOpen, Source: "csv", Outcome: "pos", Actor: "csv"}
	res := intake(t, s, record.IntakeOptions{At: t0.Add(24 * time.Hour)}, same)
	after, _ := s.GetRequest(ctx, ws, "INC0040077")
	if res[0].Verdict != record.IntakeUnchanged || after.Source != "chat" || !after.Updated.Equal(before.Updated) {
		t.Errorf("nothing new: %+v, request %+v", res[0], after)
	}
	same.Title = "Tills in Hull reject cards"
	res = intake(t, s, record.IntakeOptions{At: t0.Add(48 * time.Hour)}, same)
	after, _ = s.GetRequest(ctx, ws, "INC0040077")
	if res[0].Verdict != record.IntakeUpdated || !slices.Equal(res[0].Changed, []string{"title", "source"}) || after.Source != "csv" {
		t.Errorf("a new title: %+v, request %+v", res[0], after)
	}
}

// TestIntakeChunks: a batch runs in chunks of items per script run; items
// keep their order and their own keys across chunk boundaries, whatever
// mix of tagging, untagging, refused outcomes and repeats it holds.
func TestIntakeChunks(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	mustOutcomes(t, s, "pos", "infra")
	items := make([]record.IntakeItem, 173)
	for i := range items {
		it := record.IntakeItem{Ref: fmt.Sprintf("INC%07d", i%160), Title: fmt.Sprint("Till ", i), Source: "csv", Seen: fmt.Sprint("line ", i+2)}
		switch i % 7 {
		case 1:
			it.Outcome = "pos"
		case 2:
			it.Outcome = "infra"
		case 3:
			it.Outcome = "nope"
		case 4:
			it.Untag = true
		}
		items[i] = it
	}
	res := intake(t, s, record.IntakeOptions{Run: "chunks", Actor: "csv"}, items...)
	for i, r := range res {
		switch {
		case i >= 160 && (i-160)%7 == 3:
			// The first was refused for its outcome and so not seen.
			if r.Verdict != record.IntakeCreated {
				t.Errorf("item %d: %+v, want created", i, r)
			}
		case i >= 160:
			if !errors.Is(r.Err, record.ErrDuplicate) || r.FirstSeen != fmt.Sprint("line ", i-160+2) {
				t.Errorf("item %d: %+v, want a duplicate of line %d", i, r, i-160+2)
			}
		case i%7 == 3:
			if !errors.Is(r.Err, record.ErrNotFound) {
				t.Errorf("item %d: %+v, want no outcome", i, r)
			}
		default:
			want := map[int]string{1: "pos", 2: "infra"}[i%7]
			if r.Verdict != record.IntakeCreated || r.Outcome != want {
				t.Errorf("item %d: %+v, want created with outcome %q", i, r, want)
			}
		}
	}
	if n := scard(t, s, "pos"); n != 23 { // i%7 == 1 below 160
		t.Errorf("%d open requests tagged to pos, want 23", n)
	}
	if r, err := s.GetRequest(ctx, ws, "INC0000159"); err != nil || r.Title != "Till 159" {
		t.Errorf("last item %+v %v", r, err)
	}
}

// TestIntakeRunResentBatch: an import batch sent again (go-redis resends a
// pipeline whose reply was lost) is no duplicate of itself: its rows come
// back unchanged, while a later row repeating a reference still is one.
func TestIntakeRunResentBatch(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	items := []record.IntakeItem{{Ref: "INC1", Title: "a", Source: "csv", Seen: "line 2"}, {Ref: "INC2", Title: "b", Source: "csv", Seen: "line 3"}}
	opts := record.IntakeOptions{Actor: "import", At: t0, Run: "run1"}
	for i, want := range []string{record.IntakeCreated, record.IntakeUnchanged} {
		res, err := s.Intake(ctx, ws, items, opts)
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range res {
			if r.Err != nil || r.Verdict != want {
				t.Errorf("send %d, item %d: %+v; want %s", i+1, j, r, want)
			}
		}
	}
	res, err := s.Intake(ctx, ws, []record.IntakeItem{{Ref: "INC1", Title: "again", Source: "csv", Seen: "line 9"}}, opts)
	if err != nil || !errors.Is(res[0].Err, record.ErrDuplicate) || res[0].FirstSeen != "line 2" {
		t.Errorf("a later row repeating INC1: %+v, %v; want a duplicate of line 2", res, err)
	}
}
