package intake_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
)

// intake runs Core.Intake in T1 and fails on a call error.
func intakeItems(e *env, opts intake.Options, items ...intake.Item) []intake.ItemResult {
	e.T.Helper()
	res, err := e.Intake.Take(context.Background(), "T1", items, opts)
	if err != nil {
		e.T.Fatal(err)
	}
	return res
}

func TestIntakeChecksEachItem(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // outcome pos, INC0012345 tagged to it
	e.Run("T1", "UADMIN", "CGEN", `/outcome add legacy "Legacy CRM retired"`)
	e.Run("T1", "UADMIN", "CGEN", `/outcome archive legacy`)
	future := commandstest.Start.Add(72 * time.Hour).Format(time.RFC3339)
	cases := []struct {
		item       intake.Item
		result     string
		ref        string
		reasonPart string
	}{
		{intake.Item{Ref: "inc0020001", Title: "VPN drops", Source: "api"}, intake.ResultCreated, "INC0020001", ""},
		{intake.Item{Ref: "https://acme.atlassian.net/browse/ops-12", Title: "Label printer", Source: "jira", Outcome: "POS"}, intake.ResultCreated, "OPS-12", ""},
		{intake.Item{Ref: "", Source: "api"}, intake.ResultRejected, "", "no ticket reference"},
		{intake.Item{Ref: "two words", Source: "api"}, intake.ResultRejected, "", "is not a ticket reference"},
		{intake.Item{Ref: "INC0020002", Opened: "yesterday", Source: "api"}, intake.ResultRejected, "INC0020002", "is not a date"},
		{intake.Item{Ref: "INC0020003", Opened: "03/04/2026", Source: "api"}, intake.ResultRejected, "INC0020003", "ambiguous"},
		{intake.Item{Ref: "INC0020004", Opened: future, Source: "api"}, intake.ResultRejected, "INC0020004", "in the future"},
		{intake.Item{Ref: "INC0020005", URL: "javascript:alert(1)", Source: "api"}, intake.ResultRejected, "INC0020005", "not an http(s) link"},
		{intake.Item{Ref: "INC0020006", Outcome: "Point of Sale", Source: "api"}, intake.ResultRejected, "INC0020006", "is not an outcome key"},
		{intake.Item{Ref: "INC0020007", Outcome: "poss", Source: "api"}, intake.ResultCreated, "INC0020007", ""},
		{intake.Item{Ref: "INC0020008", Outcome: "legacy", Source: "api"}, intake.ResultCreated, "INC0020008", ""},
		{intake.Item{Ref: "INC0020009", Reject: "event jira:worklog_updated is not handled", Source: "jira"}, intake.ResultRejected, "INC0020009", "not handled"},
		{intake.Item{Ref: "INC0012345", Status: "Resolved", Source: "servicenow"}, intake.ResultUpdated, "INC0012345", ""},
		{intake.Item{Ref: "INC0020010", Opened: "16/11/2026 08:15", Source: "csv"}, intake.ResultCreated, "INC0020010", ""},
	}
	items := make([]intake.Item, len(cases))
	for i, c := range cases {
		items[i] = c.item
	}
	before := e.AuditLen("T1")
	res := intakeItems(e, intake.Options{}, items...)
	for i, c := range cases {
		r := res[i]
		if r.Result != c.result || r.Ref != c.ref || !strings.Contains(r.Reason, c.reasonPart) {
			t.Errorf("item %d (%q): %+v, want %s %q reason containing %q", i, c.item.Ref, r, c.result, c.ref, c.reasonPart)
		}
	}
	if got := e.AuditLen("T1") - before; got != 7 { // 5 creates, 1 tag, 1 update
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
	ops := e.Run("T1", "UBIZ", "CGEN", "/tag OPS-12")
	e.Expect(ops, "OPS-12", "pos", "— → pos by Jira")
	closed, err := e.St.GetRequest(context.Background(), "T1", "INC0012345")
	if err != nil || closed.Status != record.RequestClosed || closed.Source != "servicenow" {
		t.Errorf("closed request %+v %v", closed, err)
	}
	d, _ := e.St.DigestData(context.Background(), "T1", commandstest.Start.Add(-time.Hour), commandstest.Start.Add(time.Hour))
	if d.OpenTagged["pos"] != 1 { // OPS-12 only: the closed INC0012345 left the open set
		t.Errorf("open tagged to pos = %d, want 1", d.OpenTagged["pos"])
	}
	r, _ := e.St.GetRequest(context.Background(), "T1", "INC0020010")
	if want := time.Date(2026, 11, 16, 8, 15, 0, 0, time.UTC); !r.Opened.Equal(want) {
		t.Errorf("opened = %v, want %v", r.Opened, want)
	}
}

func TestIntakeIsIdempotent(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	item := intake.Item{Ref: "OPS-40", Title: "Scanner firmware", Requester: "Raj", Status: "In Progress",
		Opened: "2026-11-15T08:00:00.000+0000", Source: "jira", Outcome: "pos"}
	first := intakeItems(e, intake.Options{}, item)[0]
	n := e.AuditLen("T1")
	again := intakeItems(e, intake.Options{}, item)[0]
	if first.Result != intake.ResultCreated || !first.Tagged || again.Result != intake.ResultUnchanged || again.Tagged {
		t.Fatalf("first %+v, again %+v", first, again)
	}
	if e.AuditLen("T1") != n {
		t.Error("a re-delivery wrote to the audit stream")
	}
	item.Status = "Done"
	if r := intakeItems(e, intake.Options{}, item)[0]; r.Result != intake.ResultUpdated || r.Changed[0] != "status" {
		t.Errorf("closing: %+v", r)
	}
	req, _ := e.St.GetRequest(context.Background(), "T1", "OPS-40")
	if req.Status != record.RequestClosed || len(req.History) != 1 {
		t.Errorf("request %+v", req)
	}
}

func TestIntakeLimit(t *testing.T) {
	e := newEnv(t)
	items := make([]intake.Item, intake.MaxIntakeItems+1)
	for i := range items {
		items[i] = intake.Item{Ref: fmt.Sprint("INC", i), Source: "api"}
	}
	if _, err := e.Intake.Take(context.Background(), "T1", items, intake.Options{}); err == nil {
		t.Fatal("an intake over the limit was accepted")
	}
	res, err := e.Intake.Take(context.Background(), "T1", items[:intake.MaxIntakeItems], intake.Options{})
	if err != nil || len(res) != intake.MaxIntakeItems || res[999].Result != intake.ResultCreated {
		t.Fatalf("an intake at the limit: %v", err)
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "  ": "", "Closed": record.RequestClosed, "RESOLVED": record.RequestClosed, "Done": record.RequestClosed,
		"Closed Complete": record.RequestClosed, "closed_incomplete": record.RequestClosed, "Cancelled": record.RequestClosed,
		"Won't Do": record.RequestClosed, "Resolved by caller": record.RequestClosed,
		"New": record.RequestOpen, "In Progress": record.RequestOpen, "On Hold": record.RequestOpen, "To Do": record.RequestOpen,
		"Awaiting vendor": record.RequestOpen, "open": record.RequestOpen,
	} {
		if got := intake.ParseStatus(in); got != want {
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
		got, err := intake.ParseIntakeTime(c.in, berlin)
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
	e.Seed("T1") // INC0012345 tagged in chat at commandstest.Start
	e.Clock.Set(commandstest.Start.Add(time.Hour))
	intakeItems(e, intake.Options{},
		intake.Item{Ref: "OPS-1", Source: "jira", Requester: "Maria Lopez"},
		intake.Item{Ref: "OPS-2", Source: "jira", Requester: "Maria Lopez"},
		intake.Item{Ref: "INC0030001", Source: "servicenow", Requester: "Abel Tuter"},
		intake.Item{Ref: "INC0030002", Source: "servicenow", Outcome: "pos"},
		intake.Item{Ref: "OLD-1", Source: "csv", Opened: "2026-10-01"}, // received weeks ago
	)
	e.Clock.Set(commandstest.Start.Add(3 * 24 * time.Hour))
	r := e.Run("T1", "UBIZ", "CLEAD", "/digest preview")
	e.Expect(r, "Drift: 3 of 5 new requests tied to no outcome, 60%")
	if len(r.Thread) == 0 {
		t.Fatalf("no detail: %s", commandstest.Text(r))
	}
	var detail strings.Builder
	for _, m := range r.Thread {
		detail.WriteString(commandstest.Text(m))
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
	e.Seed("T1") // INC0012345 tagged to pos
	res := intakeItems(e, intake.Options{},
		intake.Item{Ref: "OPS-501", Title: "Till printer offline", Requester: "Maria Lopez", Status: "To Do", Source: "jira", Outcome: "typo"},
		intake.Item{Ref: "INC0012345", Title: "Tills reject cards", Source: "servicenow", Outcome: "pso"},
	)
	if res[0].Result != intake.ResultCreated || res[0].Outcome != "" || !strings.Contains(res[0].Warning, `no outcome "typo" (outcomes: pos)`) {
		t.Errorf("OPS-501: %+v", res[0])
	}
	if res[1].Result != intake.ResultUpdated || res[1].Outcome != "pos" || res[1].Tagged || !strings.Contains(res[1].Warning, `did you mean "pos"`) {
		t.Errorf("INC0012345: %+v", res[1])
	}
	d, err := e.St.DigestData(context.Background(), "T1", commandstest.Start.Add(-time.Hour), commandstest.Start.Add(time.Hour))
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
	list []record.Outcome
}

func (s staleOutcomes) ListOutcomes(context.Context, string) ([]record.Outcome, error) {
	return s.list, nil
}

// TestIntakeOutcomeArchivedMeanwhile: the outcome is archived between the
// core's read of the outcomes and the write; the store refuses the tag and
// the item goes in again, untagged, with a warning.
func TestIntakeOutcomeArchivedMeanwhile(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	list, err := e.St.ListOutcomes(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	e.Run("T1", "UADMIN", "CGEN", "/outcome archive pos")
	in := intake.New(e.Core, staleOutcomes{e.St, list})
	res, err := in.Take(ctx, "T1", []intake.Item{{Ref: "OPS-502", Title: "Scanner cradle broken", Source: "jira", Outcome: "pos"}}, intake.Options{})
	if err != nil || res[0].Result != intake.ResultCreated || res[0].Outcome != "" || !strings.Contains(res[0].Warning, `"pos" is archived`) {
		t.Fatalf("%+v %v", res, err)
	}
	if r, err := e.St.GetRequest(ctx, "T1", "OPS-502"); err != nil || r.Outcome != "" || r.Title != "Scanner cradle broken" {
		t.Errorf("OPS-502 = %+v %v", r, err)
	}
}
