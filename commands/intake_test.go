package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// intake runs Core.Intake in T1 and fails on a call error.
func (e *env) intake(opts commands.IntakeOptions, items ...commands.IntakeItem) []commands.IntakeResult {
	e.t.Helper()
	res, err := e.core.Intake(context.Background(), "T1", items, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func TestIntakeChecksEachItem(t *testing.T) {
	e := newEnv(t)
	e.seed("T1") // outcome pos, INC0012345 tagged to it
	e.run("T1", "UADMIN", "CGEN", `/outcome add legacy "Legacy CRM retired"`)
	e.run("T1", "UADMIN", "CGEN", `/outcome archive legacy`)
	future := start.Add(72 * time.Hour).Format(time.RFC3339)
	cases := []struct {
		item       commands.IntakeItem
		result     string
		ref        string
		reasonPart string
	}{
		{commands.IntakeItem{Ref: "inc0020001", Title: "VPN drops", Source: "api"}, commands.ResultCreated, "INC0020001", ""},
		{commands.IntakeItem{Ref: "https://acme.atlassian.net/browse/ops-12", Title: "Label printer", Source: "jira", Outcome: "POS"}, commands.ResultCreated, "OPS-12", ""},
		{commands.IntakeItem{Ref: "", Source: "api"}, commands.ResultRejected, "", "no ticket reference"},
		{commands.IntakeItem{Ref: "two words", Source: "api"}, commands.ResultRejected, "", "is not a ticket reference"},
		{commands.IntakeItem{Ref: "INC0020002", Opened: "yesterday", Source: "api"}, commands.ResultRejected, "INC0020002", "is not a date"},
		{commands.IntakeItem{Ref: "INC0020003", Opened: "03/04/2026", Source: "api"}, commands.ResultRejected, "INC0020003", "ambiguous"},
		{commands.IntakeItem{Ref: "INC0020004", Opened: future, Source: "api"}, commands.ResultRejected, "INC0020004", "in the future"},
		{commands.IntakeItem{Ref: "INC0020005", URL: "javascript:alert(1)", Source: "api"}, commands.ResultRejected, "INC0020005", "not an http(s) link"},
		{commands.IntakeItem{Ref: "INC0020006", Outcome: "Point of Sale", Source: "api"}, commands.ResultRejected, "INC0020006", "is not an outcome key"},
		{commands.IntakeItem{Ref: "INC0020007", Outcome: "poss", Source: "api"}, commands.ResultCreated, "INC0020007", ""},
		{commands.IntakeItem{Ref: "INC0020008", Outcome: "legacy", Source: "api"}, commands.ResultCreated, "INC0020008", ""},
		{commands.IntakeItem{Ref: "INC0020009", Reject: "event jira:worklog_updated is not handled", Source: "jira"}, commands.ResultRejected, "INC0020009", "not handled"},
		{commands.IntakeItem{Ref: "INC0012345", Status: "Resolved", Source: "servicenow"}, commands.ResultUpdated, "INC0012345", ""},
		{commands.IntakeItem{Ref: "INC0020010", Opened: "16/11/2026 08:15", Source: "csv"}, commands.ResultCreated, "INC0020010", ""},
	}
	items := make([]commands.IntakeItem, len(cases))
	for i, c := range cases {
		items[i] = c.item
	}
	before := e.auditLen("T1")
	res := e.intake(commands.IntakeOptions{}, items...)
	for i, c := range cases {
		r := res[i]
		if r.Result != c.result || r.Ref != c.ref || !strings.Contains(r.Reason, c.reasonPart) {
			t.Errorf("item %d (%q): %+v, want %s %q reason containing %q", i, c.item.Ref, r, c.result, c.ref, c.reasonPart)
		}
	}
	if got := e.auditLen("T1") - before; got != 7 { // 5 creates, 1 tag, 1 update
		t.Errorf("%d audit entries, want 7", got)
	}
	// An unknown or archived outcome: stored untagged, with a warning.
	for i, want := range map[int]string{9: `no outcome "poss"; did you mean "pos"?`, 10: `outcome "legacy" is archived`} {
		if r := res[i]; !strings.Contains(r.Warning, want) || r.Outcome != "" || r.Tagged {
			t.Errorf("item %d: %+v, want a warning containing %q", i, r, want)
		}
	}
	for i, r := range res {
		if r.Warning != "" && i != 9 && i != 10 {
			t.Errorf("item %d has a warning: %+v", i, r)
		}
	}
	ops := e.run("T1", "UBIZ", "CGEN", "/tag OPS-12")
	e.expect(ops, "OPS-12", "pos", "— → pos by Jira")
	closed, err := e.st.GetRequest(context.Background(), "T1", "INC0012345")
	if err != nil || closed.Status != store.RequestClosed || closed.Source != "servicenow" {
		t.Errorf("closed request %+v %v", closed, err)
	}
	d, _ := e.st.DigestData(context.Background(), "T1", start.Add(-time.Hour), start.Add(time.Hour))
	if d.OpenTagged["pos"] != 1 { // OPS-12 only: the closed INC0012345 left the open set
		t.Errorf("open tagged to pos = %d, want 1", d.OpenTagged["pos"])
	}
	r, _ := e.st.GetRequest(context.Background(), "T1", "INC0020010")
	if want := time.Date(2026, 11, 16, 8, 15, 0, 0, time.UTC); !r.Opened.Equal(want) {
		t.Errorf("opened = %v, want %v", r.Opened, want)
	}
}

func TestIntakeIsIdempotent(t *testing.T) {
	e := newEnv(t)
	e.seed("T1")
	item := commands.IntakeItem{Ref: "OPS-40", Title: "Scanner firmware", Requester: "Raj", Status: "In Progress",
		Opened: "2026-11-15T08:00:00.000+0000", Source: "jira", Outcome: "pos"}
	first := e.intake(commands.IntakeOptions{}, item)[0]
	n := e.auditLen("T1")
	again := e.intake(commands.IntakeOptions{}, item)[0]
	if first.Result != commands.ResultCreated || !first.Tagged || again.Result != commands.ResultUnchanged || again.Tagged {
		t.Fatalf("first %+v, again %+v", first, again)
	}
	if e.auditLen("T1") != n {
		t.Error("a re-delivery wrote to the audit stream")
	}
	item.Status = "Done"
	if r := e.intake(commands.IntakeOptions{}, item)[0]; r.Result != commands.ResultUpdated || r.Changed[0] != "status" {
		t.Errorf("closing: %+v", r)
	}
	req, _ := e.st.GetRequest(context.Background(), "T1", "OPS-40")
	if req.Status != store.RequestClosed || len(req.History) != 1 {
		t.Errorf("request %+v", req)
	}
}

func TestIntakeLimit(t *testing.T) {
	e := newEnv(t)
	items := make([]commands.IntakeItem, commands.MaxIntakeItems+1)
	for i := range items {
		items[i] = commands.IntakeItem{Ref: fmt.Sprint("INC", i), Source: "api"}
	}
	if _, err := e.core.Intake(context.Background(), "T1", items, commands.IntakeOptions{}); err == nil {
		t.Fatal("an intake over the limit was accepted")
	}
	res, err := e.core.Intake(context.Background(), "T1", items[:commands.MaxIntakeItems], commands.IntakeOptions{})
	if err != nil || len(res) != commands.MaxIntakeItems || res[999].Result != commands.ResultCreated {
		t.Fatalf("an intake at the limit: %v", err)
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "  ": "", "Closed": store.RequestClosed, "RESOLVED": store.RequestClosed, "Done": store.RequestClosed,
		"Closed Complete": store.RequestClosed, "closed_incomplete": store.RequestClosed, "Cancelled": store.RequestClosed,
		"Won't Do": store.RequestClosed, "Resolved by caller": store.RequestClosed,
		"New": store.RequestOpen, "In Progress": store.RequestOpen, "On Hold": store.RequestOpen, "To Do": store.RequestOpen,
		"Awaiting vendor": store.RequestOpen, "open": store.RequestOpen,
	} {
		if got := commands.ParseStatus(in); got != want {
			t.Errorf("ParseStatus(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseIntakeTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	cases := []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2026-11-16T09:12:44Z", utc(2026, 11, 16, 9, 12, 44), ""},
		{"2026-11-16T09:12:44.175+0000", utc(2026, 11, 16, 9, 12, 44).Add(175 * time.Millisecond), ""},
		{"2026-11-16T10:12:44+01:00", utc(2026, 11, 16, 9, 12, 44), ""},
		{"2026-11-16 09:12:44", time.Date(2026, 11, 16, 9, 12, 44, 0, berlin), ""},
		{"2026-11-16", time.Date(2026, 11, 16, 0, 0, 0, 0, berlin), ""},
		{"16.11.2026", time.Date(2026, 11, 16, 0, 0, 0, 0, berlin), ""},
		{"16/11/2026 14:30", time.Date(2026, 11, 16, 14, 30, 0, 0, berlin), ""},
		{"11/16/2026", time.Date(2026, 11, 16, 0, 0, 0, 0, berlin), ""},
		{"5/5/2026", time.Date(2026, 5, 5, 0, 0, 0, 0, berlin), ""},
		{"1763284364", utc(2025, 11, 16, 9, 12, 44), ""},
		{"1763284364000", utc(2025, 11, 16, 9, 12, 44), ""},
		{"16 Nov 2026", time.Date(2026, 11, 16, 0, 0, 0, 0, berlin), ""},
		{"3/11/2026", time.Time{}, "ambiguous"},
		{"31/31/2026", time.Time{}, "is not a date"},
		{"2026-13-01", time.Time{}, "is not a date"},
		{"next Tuesday", time.Time{}, "is not a date"},
	}
	for _, c := range cases {
		got, err := commands.ParseIntakeTime(c.in, berlin)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseIntakeTime(%q) = %v, %v; want an error containing %q", c.in, got, err, c.err)
		case c.err == "" && (err != nil || !got.Equal(c.want)):
			t.Errorf("ParseIntakeTime(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if err != nil {
			var ue *commands.UserError
			if !errors.As(err, &ue) {
				t.Errorf("ParseIntakeTime(%q): error %T is not a UserError", c.in, err)
			}
		}
	}
}

// TestDigestDriftCountsEverySource: drift is the share of all requests
// received in the week, from chat, the ITSMs and imports, with the top
// sources and requesters of the untagged ones.
func TestDigestDriftCountsEverySource(t *testing.T) {
	e := newEnv(t)
	e.seed("T1") // INC0012345 tagged in chat at start
	e.clock.Set(start.Add(time.Hour))
	e.intake(commands.IntakeOptions{},
		commands.IntakeItem{Ref: "OPS-1", Source: "jira", Requester: "Maria Lopez"},
		commands.IntakeItem{Ref: "OPS-2", Source: "jira", Requester: "Maria Lopez"},
		commands.IntakeItem{Ref: "INC0030001", Source: "servicenow", Requester: "Abel Tuter"},
		commands.IntakeItem{Ref: "INC0030002", Source: "servicenow", Outcome: "pos"},
		commands.IntakeItem{Ref: "OLD-1", Source: "csv", Opened: "2026-10-01"}, // received weeks ago
	)
	e.clock.Set(start.Add(3 * 24 * time.Hour))
	r := e.run("T1", "UBIZ", "CLEAD", "/digest preview")
	e.expect(r, "Drift: 3 of 5 new requests tied to no outcome, 60%")
	if len(r.Thread) == 0 {
		t.Fatalf("no detail: %s", text(r))
	}
	var detail strings.Builder
	for _, m := range r.Thread {
		detail.WriteString(text(m))
	}
	for _, want := range []string{
		"Drift: untagged work",
		"3 of 5 requests received this week, from every source, are tied to no outcome.",
		"Top sources: jira 2 · servicenow 1",
		"Top requesters: Maria Lopez 2 · Abel Tuter 1",
	} {
		if !strings.Contains(detail.String(), want) {
			t.Errorf("detail lacks %q:\n%s", want, detail.String())
		}
	}
}

// TestIntakeBadOutcomeIsStoredUntagged: an unknown or archived outcome
// never drops the work. A new request is stored untagged (it counts as
// drift), a tagged one keeps its outcome, and each carries a warning.
func TestIntakeBadOutcomeIsStoredUntagged(t *testing.T) {
	e := newEnv(t)
	e.seed("T1") // INC0012345 tagged to pos
	res := e.intake(commands.IntakeOptions{},
		commands.IntakeItem{Ref: "OPS-501", Title: "Till printer offline", Requester: "Maria Lopez", Status: "To Do", Source: "jira", Outcome: "typo"},
		commands.IntakeItem{Ref: "INC0012345", Title: "Tills reject cards", Source: "servicenow", Outcome: "pso"},
	)
	if res[0].Result != commands.ResultCreated || res[0].Outcome != "" || !strings.Contains(res[0].Warning, `no outcome "typo" (outcomes: pos)`) {
		t.Errorf("OPS-501: %+v", res[0])
	}
	if res[1].Result != commands.ResultUpdated || res[1].Outcome != "pos" || res[1].Tagged || !strings.Contains(res[1].Warning, `did you mean "pos"`) {
		t.Errorf("INC0012345: %+v", res[1])
	}
	d, err := e.st.DigestData(context.Background(), "T1", start.Add(-time.Hour), start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	untagged := 0
	for _, r := range d.NewRequests {
		if r.Ref == "OPS-501" && r.Outcome == "" {
			untagged++
		}
	}
	if untagged != 1 {
		t.Errorf("OPS-501 is not untagged work of the week: %+v", d.NewRequests)
	}
}

// staleOutcomes serves a list of outcomes read before one was archived.
type staleOutcomes struct {
	*store.Store
	list []store.Outcome
}

func (s staleOutcomes) ListOutcomes(context.Context, string) ([]store.Outcome, error) {
	return s.list, nil
}

// TestIntakeOutcomeArchivedMeanwhile: the outcome is archived between the
// core's read of the outcomes and the write; the store refuses the tag and
// the item goes in again, untagged, with a warning.
func TestIntakeOutcomeArchivedMeanwhile(t *testing.T) {
	e := newEnv(t)
	e.seed("T1")
	ctx := context.Background()
	list, err := e.st.ListOutcomes(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	e.run("T1", "UADMIN", "CGEN", "/outcome archive pos")
	core := commands.New(staleOutcomes{e.st, list}, commands.Config{Admins: []string{"UADMIN"}}, e.clock, nil)
	res, err := core.Intake(ctx, "T1", []commands.IntakeItem{{Ref: "OPS-502", Title: "Scanner cradle broken", Source: "jira", Outcome: "pos"}}, commands.IntakeOptions{})
	if err != nil || res[0].Result != commands.ResultCreated || res[0].Outcome != "" || !strings.Contains(res[0].Warning, `"pos" is archived`) {
		t.Fatalf("%+v %v", res, err)
	}
	if r, err := e.st.GetRequest(ctx, "T1", "OPS-502"); err != nil || r.Outcome != "" || r.Title != "Scanner cradle broken" {
		t.Errorf("OPS-502 = %+v %v", r, err)
	}
}
