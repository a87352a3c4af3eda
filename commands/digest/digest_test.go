package digest_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/record"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files")

// digestLoc loads a time zone or fails the test.
func digestLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// digestTicketURL links ServiceNow incidents only, like a workspace with
// one URL template.
func digestTicketURL(ref string) string {
	if strings.HasPrefix(ref, "INC") {
		return "https://acme.example/ticket/" + ref
	}
	return ""
}

// digestBusyWeek is a retail chain's week ending Monday 23 Nov 2026 09:00
// in Berlin: escalations in every state, a stalled one, an escalation on
// untagged work, a starved outcome, archived outcomes with and without
// activity, and events exactly on the window boundaries.
func digestBusyWeek(loc *time.Location) (record.DigestData, time.Time) {
	at := func(day, h, m int) time.Time { return time.Date(2026, time.November, day, h, m, 0, 0, loc) }
	now := at(23, 9, 0)
	outcomes := []record.Outcome{
		{Key: "supply-chain", Title: "Supplier portal cuts stock-outs", KPI: "stock-out rate", Owner: "U_PAT", ITOwner: "U_OPS", Status: record.OutcomeActive},
		{Key: "pos-conversion", Title: "Omnichannel POS lifts in-store conversion", KPI: "in-store conversion rate", Owner: "U_MARIA", ITOwner: "U_DEV", ITChannel: "C_IT", SLA: 4 * time.Hour, Status: record.OutcomeActive},
		{Key: "infra-maint", Title: "Infrastructure maintenance keeps stores online", KPI: "store uptime", Owner: "U_COO", ITOwner: "U_OPS", Status: record.OutcomeActive},
		{Key: "payroll", Title: "Payroll runs on time", Owner: "U_CFO", Status: record.OutcomeActive},
		{Key: "old-crm", Title: "Legacy CRM retired", KPI: "licences saved", Owner: "U_CFO", ITOwner: "U_DEV", Status: record.OutcomeArchived},
		{Key: "legacy-erp", Title: "ERP v1 sunset", Status: record.OutcomeArchived},
		{Key: "finance-close", Title: "Month-end close in 3 days", KPI: "days to close", Owner: "U_CFO", ITOwner: "U_FIN", Status: record.OutcomeActive},
	}
	tag := func(ref, outcome, by string, t time.Time) record.TagEvent {
		return record.TagEvent{Ref: ref, Outcome: outcome, By: by, At: t}
	}
	tags := []record.TagEvent{
		// previous week: 5 tags
		tag("INC0011111", "pos-conversion", "U_LENA", at(12, 10, 5)),
		tag("INC0011200", "pos-conversion", "U_MARIA", at(10, 14, 0)),
		tag("CHG0000700", "infra-maint", "U_ANA", at(10, 9, 5)),
		tag("CHG0000701", "infra-maint", "U_ANA", at(13, 11, 0)),
		tag("PRB0000043", "payroll", "U_CFO", at(16, 8, 59)),
		// this week: 8 tags to outcomes, 1 untag, 1 at Now (next week's)
		tag("RITM0020002", "infra-maint", "U_ANA", at(16, 9, 0)),
		tag("INC0012400", "pos-conversion", "U_LENA", at(17, 11, 0)),
		tag("RITM0020001", "pos-conversion", "U_MARIA", at(18, 14, 0)),
		tag("REQ0009001", "old-crm", "U_CFO", at(18, 10, 0)),
		tag("INC0012345", "pos-conversion", "U_MARIA", at(19, 8, 5)),
		tag("OPS-881", "finance-close", "U_FIN", at(19, 16, 0)),
		tag("RITM0004242", "infra-maint", "U_ANA", at(20, 9, 55)),
		tag("INC0012399", "", "U_RAJ", at(20, 12, 0)),
		tag("CHG0000777", "infra-maint", "U_OPS", at(21, 8, 0)),
		tag("INC0012501", "pos-conversion", "U_MARIA", at(23, 9, 0)),
	}
	req := func(ref, outcome, status string, t time.Time) record.Request {
		return record.Request{Ref: ref, Outcome: outcome, Status: status, Source: "chat", FirstSeen: t, Updated: t}
	}
	open, closed := record.RequestOpen, record.RequestClosed
	requests := []record.Request{
		// previous week: 8 new, 1 untagged
		req("INC0011111", "pos-conversion", open, at(12, 9, 0)),
		req("INC0011200", "pos-conversion", closed, at(10, 13, 0)),
		req("CHG0000700", "infra-maint", closed, at(10, 9, 0)),
		req("CHG0000701", "infra-maint", open, at(13, 10, 0)),
		req("PRB0000043", "payroll", open, at(16, 8, 0)),
		req("OPS-870", "finance-close", open, at(11, 12, 0)),
		req("OPS-871", "finance-close", closed, at(14, 12, 0)),
		req("INC0011300", "", open, at(15, 17, 0)),
		// this week: 10 new, 2 untagged
		req("RITM0020002", "pos-conversion", open, at(16, 9, 0)),
		req("INC0012400", "pos-conversion", open, at(17, 10, 50)),
		req("RITM0020001", "pos-conversion", closed, at(18, 13, 0)),
		req("REQ0009001", "old-crm", closed, at(18, 9, 0)),
		req("INC0012345", "pos-conversion", open, at(19, 8, 0)),
		req("OPS-881", "finance-close", open, at(19, 15, 0)),
		req("RITM0004242", "infra-maint", open, at(20, 9, 50)),
		req("INC0012399", "", open, at(20, 11, 0)),
		req("CHG0000777", "infra-maint", open, at(21, 7, 55)),
		req("INC0012401", "", open, at(22, 18, 0)),
	}
	esc := []record.Escalation{
		{N: 1, Ref: "ERP-12", Outcome: "legacy-erp", Reason: "Export fails", RaisedBy: "U_CFO", RaisedAt: time.Date(2026, 10, 20, 9, 0, 0, 0, loc),
			State: record.StateResolved, AckBy: "U_DEV", AckAt: time.Date(2026, 10, 20, 10, 0, 0, 0, loc), ResolvedBy: "U_DEV", ResolvedAt: time.Date(2026, 10, 25, 9, 0, 0, 0, loc)},
		{N: 2, Ref: "PRB0000042", Outcome: "payroll", Reason: "Payslips late", RaisedBy: "U_CFO", RaisedAt: at(1, 9, 0),
			State: record.StateAcknowledged, AckBy: "U_OPS", AckAt: at(1, 12, 0)},
		{N: 3, Ref: "INC0011111", Outcome: "pos-conversion", Reason: "Card terminals time out", RaisedBy: "U_LENA", RaisedIn: "C_STORES", RaisedAt: at(12, 10, 0),
			State: record.StateResolved, AckBy: "U_DEV", AckAt: at(16, 11, 0), ResolvedBy: "U_DEV", ResolvedAt: at(17, 15, 0), Reminders: 2},
		{N: 4, Ref: "CHG0000700", Outcome: "infra-maint", Reason: "Patch window clashes with trading", RaisedBy: "U_ANA", RaisedAt: at(10, 9, 0),
			State: record.StateResolved, AckBy: "U_OPS", AckAt: at(10, 9, 45), ResolvedBy: "U_OPS", ResolvedAt: at(11, 16, 0)},
		{N: 5, Ref: "INC0012345", Outcome: "pos-conversion", Reason: "Tills in Leeds reject gift cards <!channel>", RaisedBy: "U_MARIA", RaisedIn: "C_STORES", RaisedAt: at(19, 8, 0),
			State: record.StateOpen, Reminders: 2},
		{N: 6, Ref: "RITM0004242", Outcome: "infra-maint", Reason: "New store needs network", RaisedBy: "U_ANA", RaisedAt: at(20, 10, 2),
			State: record.StateAcknowledged, AckBy: "U_OPS", AckAt: at(20, 11, 14)},
		{N: 7, Ref: "INC0012400", Outcome: "pos-conversion", Reason: "Price sync stalled", RaisedBy: "U_LENA", RaisedAt: at(22, 20, 0),
			State: record.StateOpen, Reminders: 2},
		{N: 8, Ref: "CHG0000777", Outcome: "infra-maint", Reason: "Firewall change blocked", RaisedBy: "U_ANA", RaisedAt: at(21, 9, 0),
			State: record.StateResolved, AckBy: "U_OPS", AckAt: at(21, 14, 30), ResolvedBy: "U_OPS", ResolvedAt: at(22, 10, 0)},
		{N: 9, Ref: "INC0012500", Outcome: "infra-maint", Reason: "Back office printer down", RaisedBy: "U_RAJ", RaisedAt: at(23, 7, 0),
			State: record.StateOpen},
		{N: 10, Ref: "INC0012399", Reason: "Laptop refresh blocked", RaisedBy: "U_RAJ", RaisedAt: at(18, 12, 0),
			State: record.StateAcknowledged, AckBy: "U_OPS", AckAt: at(18, 12, 20)},
	}
	// The store returns escalations in no particular order, possibly twice.
	esc = append([]record.Escalation{esc[6], esc[2]}, esc...)
	return record.DigestData{
		From:        now.AddDate(0, 0, -14),
		To:          now,
		Outcomes:    outcomes,
		OpenTagged:  map[string]int{"pos-conversion": 14, "infra-maint": 9, "supply-chain": 4, "payroll": 2, "old-crm": 1, "finance-close": 3},
		Tags:        tags,
		NewRequests: requests,
		Escalations: esc,
	}, now
}

// digestQuietWeek is a week in New York with activity only the week before.
func digestQuietWeek(loc *time.Location) (record.DigestData, time.Time) {
	now := time.Date(2026, time.April, 6, 9, 0, 0, 0, loc)
	prev := time.Date(2026, time.March, 25, 15, 0, 0, 0, loc)
	return record.DigestData{
		From: now.AddDate(0, 0, -14),
		To:   now,
		Outcomes: []record.Outcome{
			{Key: "pos", Title: "POS rollout", KPI: "conversion", Owner: "U_A", ITOwner: "U_B", Status: record.OutcomeActive},
			{Key: "infra", Title: "Infrastructure", Owner: "U_A", ITOwner: "U_C", Status: record.OutcomeActive},
			{Key: "hr", Title: "HR onboarding in a day", Owner: "U_D", ITOwner: "U_C", Status: record.OutcomeActive},
			{Key: "old", Title: "Old", Status: record.OutcomeArchived},
		},
		OpenTagged:  map[string]int{"pos": 2},
		Tags:        []record.TagEvent{{Ref: "INC1", Outcome: "pos", By: "U_A", At: prev}},
		NewRequests: []record.Request{{Ref: "INC1", Outcome: "pos", Status: record.RequestOpen, FirstSeen: prev}},
		Escalations: []record.Escalation{{N: 1, Ref: "INC1", Outcome: "pos", RaisedBy: "U_A", RaisedAt: prev,
			State: record.StateResolved, AckBy: "U_B", AckAt: prev.Add(time.Hour), ResolvedBy: "U_B", ResolvedAt: prev.Add(2 * time.Hour)}},
	}, now
}

// digestSynthetic builds a large workspace's two weeks (see
// commandstest.SyntheticDigestData).
func digestSynthetic(now time.Time, nOutcomes, nNew, nEvents, nOpen int) record.DigestData {
	return commandstest.SyntheticDigestData(now, nOutcomes, nNew, nEvents, nOpen)
}

// digestCases are the golden digests.
func digestCases(tb testing.TB) map[string]digest.Input {
	berlin, ny := digestLoc(tb, "Europe/Berlin"), digestLoc(tb, "America/New_York")
	busy, busyNow := digestBusyWeek(berlin)
	quiet, quietNow := digestQuietWeek(ny)
	bigNow := time.Date(2026, time.November, 2, 9, 0, 0, 0, berlin) // the week before crossed the DST change
	late := busyNow.Add(5*time.Hour + 37*time.Minute)
	return map[string]digest.Input{
		"busy":    {Data: busy, Now: busyNow, DefaultSLA: 8 * time.Hour, TicketURL: digestTicketURL},
		"quiet":   {Data: quiet, Now: quietNow, DefaultSLA: 4 * time.Hour},
		"big":     {Data: digestSynthetic(bigNow, 120, 400, 80, 150), Now: bigNow, DefaultSLA: 4 * time.Hour, TicketURL: digestTicketURL},
		"preview": {Data: busy, Now: busyNow, DefaultSLA: 8 * time.Hour, Follow: []string{"supply-chain", "infra-maint", "gone"}, Preview: true},
		"late":    {Data: busy, Now: late, DefaultSLA: 8 * time.Hour, TicketURL: digestTicketURL, Late: true},
	}
}

func TestDigestGolden(t *testing.T) {
	for name, in := range digestCases(t) {
		t.Run(name, func(t *testing.T) {
			resp := digest.Build(in)
			got, err := json.MarshalIndent(resp, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", name+".golden.json")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./commands/digest/ -run Digest -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; if the change is intended, run go test ./commands/digest/ -run Digest -update", path)
			}
			if again, _ := json.MarshalIndent(digest.Build(in), "", "  "); !bytes.Equal(append(again, '\n'), got) {
				t.Error("Build is not deterministic")
			}
			digestCheckLimits(t, resp)
		})
	}
}

// digestCheckLimits asserts the platform limits on every message.
func digestCheckLimits(t *testing.T, resp commands.Response) {
	t.Helper()
	for i, m := range append([]commands.Response{resp}, resp.Thread...) {
		if len(m.Sections) >= 40 {
			t.Errorf("message %d has %d sections, want < 40", i, len(m.Sections))
		}
		if n := digestMessageBytes(m); n > 10000 {
			t.Errorf("message %d is %d bytes, want <= 10000", i, n)
		}
		for _, s := range m.Sections {
			if len(s.Text) >= 2800 {
				t.Errorf("message %d section %q text is %d bytes, want < 2800", i, s.Title, len(s.Text))
			}
		}
	}
}

func digestMessageBytes(m commands.Response) int {
	n := len(m.Title) + len(m.Text) + len(m.Context)
	for _, s := range m.Sections {
		n += len(s.Title) + len(s.Text)
		for _, f := range s.Fields {
			n += len(f.Label) + len(f.Value)
		}
	}
	return n
}

// digestPlainLines returns the plain-text lines of the sections titled
// title (and its continuations) across the thread.
func digestPlainLines(resp commands.Response, title string) []string {
	var lines []string
	for _, m := range resp.Thread {
		for _, s := range m.Sections {
			if s.Title == title || s.Title == title+" (continued)" {
				lines = append(lines, strings.Split(commands.PlainText(s.Text), "\n")...)
			}
		}
	}
	return lines
}

// digestOutcomeTitles returns the per-outcome section titles in order.
func digestOutcomeTitles(resp commands.Response) []string {
	var titles []string
	for _, m := range resp.Thread {
		for _, s := range m.Sections {
			if strings.HasSuffix(s.Title, ")") && !strings.HasSuffix(s.Title, "(continued)") {
				titles = append(titles, s.Title)
			}
		}
	}
	return titles
}

func TestDigestHeadline(t *testing.T) {
	cases := digestCases(t)
	tests := []struct {
		name, title, text, context string
		vis                        commands.Visibility
	}{
		{"busy", "Weekly outcome digest · 16–23 Nov 2026", strings.Join([]string{
			commands.Bold("Needs attention"),
			"• E-5 " + commands.Link("https://acme.example/ticket/INC0012345", "INC0012345") + " (" + commands.Code("pos-conversion") + ", IT owner " + commands.Name("U_DEV") + "): unacknowledged for 4d 1h, beyond its 4h SLA",
			"• E-7 " + commands.Link("https://acme.example/ticket/INC0012400", "INC0012400") + " (" + commands.Code("pos-conversion") + ", IT owner " + commands.Name("U_DEV") + "): unacknowledged for 13h, beyond its 4h SLA",
			"• E-2 " + commands.Code("PRB0000042") + " (" + commands.Code("payroll") + ", IT owner not set): acknowledged, still open after 22d",
			"",
			commands.Bold("This week"),
			"Requests tagged: 8 (▲3, better)",
			"Escalations raised 6 (▲4, worse) · acknowledged 4 (▲3, better) · resolved 2 (▲1, better)",
			"Open and unacknowledged beyond SLA: 2 (▲1, worse)",
			"Median time to acknowledge: 3h 21m (▲2h 36m, worse)",
			"Drift: 2 of 10 new requests tied to no outcome, 20% (▲7 pts, worse)",
		}, "\n"), "week of Mon 16 Nov 09:00 – Mon 23 Nov 09:00 Europe/Berlin", commands.InChannel},
		{"preview", "Weekly outcome digest · 16–23 Nov 2026", strings.Join([]string{
			commands.Bold("Needs attention"),
			"• E-6 " + commands.Code("RITM0004242") + " (" + commands.Code("infra-maint") + ", IT owner " + commands.Name("U_OPS") + "): acknowledged, still open after 2d 22h",
			"• " + commands.Code("supply-chain") + " (IT owner " + commands.Name("U_OPS") + "): no IT work this week",
			"",
			commands.Bold("This week"),
			"Requests tagged: 3 (▲1, better)",
			"Escalations raised 3 (▲2, worse) · acknowledged 2 (▲1, better) · resolved 1 (=)",
			"Median time to acknowledge: 3h 21m (▲2h 36m, worse)",
			"Drift: 2 of 10 new requests tied to no outcome, 20% (▲7 pts, worse)",
		}, "\n"), "preview: only you can see this · week of Mon 16 Nov 09:00 – Mon 23 Nov 09:00 Europe/Berlin", commands.Ephemeral},
		{"quiet", "Weekly outcome digest · 30 Mar – 6 Apr 2026",
			"No change this week: no requests tagged, no escalations.\n3 outcomes followed; none had IT activity.",
			"week of Mon 30 Mar 09:00 – Mon 6 Apr 09:00 America/New_York", commands.InChannel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := digest.Build(cases[tt.name])
			if resp.Title != tt.title {
				t.Errorf("Title = %q, want %q", resp.Title, tt.title)
			}
			if resp.Text != tt.text {
				t.Errorf("Text =\n%s\nwant\n%s", resp.Text, tt.text)
			}
			if resp.Context != tt.context {
				t.Errorf("Context = %q, want %q", resp.Context, tt.context)
			}
			if resp.Visibility != tt.vis {
				t.Errorf("Visibility = %v, want %v", resp.Visibility, tt.vis)
			}
			for i, m := range resp.Thread {
				if m.Visibility != tt.vis {
					t.Errorf("Thread[%d].Visibility = %v, want %v", i, m.Visibility, tt.vis)
				}
			}
		})
	}
	if n := len(digest.Build(cases["quiet"]).Thread); n != 0 {
		t.Errorf("quiet digest has %d thread messages, want none", n)
	}
}

// TestDigestTaggedCountsRequests: "Requests tagged" counts requests, not
// tag changes: a request re-tagged twice in the week counts once, one
// tagged and then untagged is drift, and one moved to an outcome the
// channel does not follow is not this channel's.
func TestDigestTaggedCountsRequests(t *testing.T) {
	data, now := digestQuietWeek(digestLoc(t, "America/New_York"))
	at := func(h int) time.Time { return now.Add(-48*time.Hour + time.Duration(h)*time.Hour) }
	data.Tags = []record.TagEvent{
		{Ref: "INC1", Outcome: "pos", By: "U_A", At: at(0)},
		{Ref: "INC1", From: "pos", Outcome: "infra", By: "U_A", At: at(1)},
		{Ref: "INC1", From: "infra", Outcome: "pos", By: "U_A", At: at(2)},
		{Ref: "INC2", Outcome: "pos", By: "U_A", At: at(3)},
		{Ref: "INC2", From: "pos", By: "U_A", At: at(4)},
		{Ref: "INC3", Outcome: "infra", By: "U_A", At: at(5)},
		{Ref: "INC4", Outcome: "pos", By: "U_A", At: at(6)},
		{Ref: "INC4", From: "pos", Outcome: "hr", By: "U_A", At: at(7)},
		// One intake call tags INC5 twice at one instant: its history
		// order decides, whatever order the events come in.
		{Ref: "INC5", From: "infra", Outcome: "hr", By: "U_A", At: at(8), Seq: 2},
		{Ref: "INC5", Outcome: "infra", By: "U_A", At: at(8), Seq: 1},
	}
	for _, tc := range []struct {
		follow []string
		want   string
	}{
		{nil, "Requests tagged: 4 "},                      // INC1, INC3, INC4, INC5
		{[]string{"pos"}, "Requests tagged: 1 "},          // INC1 (INC2 untagged, INC4 moved to hr)
		{[]string{"pos", "infra"}, "Requests tagged: 2 "}, // INC1, INC3 (INC5 ended on hr)
	} {
		r := digest.Build(digest.Input{Data: data, Now: now, DefaultSLA: 4 * time.Hour, Follow: tc.follow})
		if !strings.Contains(r.Text, tc.want) {
			t.Errorf("following %v: headline\n%s\nwant %q", tc.follow, r.Text, tc.want)
		}
	}
}

func TestDigestMarks(t *testing.T) {
	in := digestCases(t)["busy"]
	in.Late, in.Manual = true, true
	got := digest.Build(in).Context
	want := "posted late: the bot was down at the scheduled time · posted manually · week of Mon 16 Nov 09:00 – Mon 23 Nov 09:00 Europe/Berlin"
	if got != want {
		t.Errorf("Context = %q, want %q", got, want)
	}
}

func TestDigestOutcomeOrderAndStarved(t *testing.T) {
	resp := digest.Build(digestCases(t)["busy"])
	wantOrder := []string{
		"Omnichannel POS lifts in-store conversion (pos-conversion)",   // 2 unacknowledged beyond SLA
		"Infrastructure maintenance keeps stores online (infra-maint)", // 2 open
		"Payroll runs on time (payroll)",                               // 1 open
		"Month-end close in 3 days (finance-close)",
		"Legacy CRM retired (old-crm, archived)", // archived, but tagged this week
	}
	if got := digestOutcomeTitles(resp); !slices.Equal(got, wantOrder) {
		t.Errorf("outcome order =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantOrder, "\n"))
	}
	// A starved outcome with nothing open is listed once, in the starved
	// section, with its owners by name.
	want := []string{"No tags and no escalation events this week:",
		"• Supplier portal cuts stock-outs (supply-chain) · IT owner U_OPS · business owner U_PAT · 4 open tagged requests"}
	if got := digestPlainLines(resp, "Starved outcomes"); !slices.Equal(got, want) {
		t.Errorf("starved outcomes =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	pos := commands.PlainText(resp.Thread[0].Sections[0].Text)
	wantPos := strings.Join([]string{
		"KPI: in-store conversion rate",
		"Business owner: U_MARIA · IT owner: U_DEV",
		"Open tagged requests: 14 (3 new this week)",
		"Escalations: 2 open (2 unacknowledged beyond SLA) · 1 closed this week",
		"• E-5 INC0012345 (https://acme.example/ticket/INC0012345) raised by U_MARIA 19 Nov 08:00: unacknowledged for 4d 1h, beyond its 4h SLA",
		"• E-7 INC0012400 (https://acme.example/ticket/INC0012400) raised by U_LENA 22 Nov 20:00: unacknowledged for 13h, beyond its 4h SLA",
		"• E-3 INC0011111 (https://acme.example/ticket/INC0011111) raised by U_LENA 12 Nov 10:00: acknowledged by U_DEV after 4d 1h, resolved by U_DEV after 5d 5h",
		"Median time to acknowledge: 4d 1h (1 acknowledgement)",
	}, "\n")
	if pos != wantPos {
		t.Errorf("pos-conversion section =\n%s\nwant\n%s", pos, wantPos)
	}
	// Starved, but with an escalation still open: its own section, flagged.
	if payroll := resp.Thread[0].Sections[2].Text; !strings.HasPrefix(payroll, "⚠ Starved") || strings.Contains(payroll, "KPI: not set") {
		t.Errorf("payroll is not flagged starved, or says its KPI is not set:\n%s", payroll)
	}
	// Nothing is said that says nothing: no KPI and no owners where nothing
	// waits, no zero counts.
	if close := commands.PlainText(resp.Thread[0].Sections[3].Text); close != "Open tagged requests: 3 (1 new this week)" {
		t.Errorf("finance-close section =\n%s", close)
	}
	if crm := commands.PlainText(resp.Thread[0].Sections[4].Text); crm != "Open tagged requests: 1" {
		t.Errorf("old-crm section = %q, want no \"(0 new this week)\"", crm)
	}
}

// TestDigestAccountabilityFoldedIntoOutcomes: who raised, acknowledged and
// resolved each escalation is said once, under its outcome; escalations on
// no followed outcome get one section of their own; there is no separate
// accountability section repeating them.
func TestDigestAccountabilityFoldedIntoOutcomes(t *testing.T) {
	resp := digest.Build(digestCases(t)["busy"])
	if got := digestPlainLines(resp, "Accountability"); len(got) != 0 {
		t.Errorf("an accountability section repeats the outcomes' escalations: %q", got)
	}
	infra := commands.PlainText(resp.Thread[0].Sections[1].Text)
	for _, want := range []string{
		"• E-6 RITM0004242 raised by U_ANA 20 Nov 10:02: acknowledged by U_OPS after 1h 12m, open 2d 22h",
		"• E-9 INC0012500 (https://acme.example/ticket/INC0012500) raised by U_RAJ 23 Nov 07:00: unacknowledged for 2h",
		"• E-8 CHG0000777 raised by U_ANA 21 Nov 09:00: acknowledged by U_OPS after 5h 30m, resolved by U_OPS after 1d 1h",
	} {
		if !strings.Contains(infra, want) {
			t.Errorf("infra-maint section lacks %q:\n%s", want, infra)
		}
	}
	other := digestPlainLines(resp, "Escalations on no followed outcome")
	want := []string{"• E-10 INC0012399 (https://acme.example/ticket/INC0012399) raised by U_RAJ 18 Nov 12:00: acknowledged by U_OPS after 20m, open 4d 21h"}
	if !slices.Equal(other, want) {
		t.Errorf("escalations on no outcome = %q, want %q", other, want)
	}
	// Each escalation appears once in the whole detail.
	for _, id := range []string{"E-3 ", "E-5 ", "E-6 ", "E-7 ", "E-8 ", "E-9 ", "E-10 ", "E-2 "} {
		n := 0
		for _, m := range resp.Thread {
			for _, sec := range m.Sections {
				n += strings.Count(commands.PlainText(sec.Text), "• "+id)
			}
		}
		if n != 1 {
			t.Errorf("%s is listed %d times in the detail, want once", id, n)
		}
	}
}

// TestDigestNamesWithoutMentions: the digest names people and never
// mentions them, so a leadership channel's digest notifies nobody.
func TestDigestNamesWithoutMentions(t *testing.T) {
	for name, in := range digestCases(t) {
		resp := digest.Build(in)
		names := 0
		for _, m := range append([]commands.Response{resp}, resp.Thread...) {
			texts := []string{m.Title, m.Text, m.Context}
			for _, sec := range m.Sections {
				texts = append(texts, sec.Title, sec.Text)
			}
			for _, s := range texts {
				for _, sp := range commands.Spans(s) {
					switch sp.Kind {
					case commands.SpanUser:
						t.Errorf("%s: the digest mentions %s", name, sp.Target)
					case commands.SpanName:
						names++
					}
				}
			}
		}
		if name != "quiet" && names == 0 {
			t.Errorf("%s: the digest names nobody", name)
		}
	}
}

// TestDigestHeadlineDropsZeros: a number that was zero both weeks is not
// shown.
func TestDigestHeadlineDropsZeros(t *testing.T) {
	data, now := digestQuietWeek(digestLoc(t, "America/New_York"))
	data.Tags = append(data.Tags, record.TagEvent{Ref: "INC9", Outcome: "infra", By: "U_A", At: now.Add(-time.Hour)})
	data.Escalations = nil
	text := commands.PlainText(digest.Build(digest.Input{Data: data, Now: now, DefaultSLA: 4 * time.Hour}).Text)
	got := text[strings.Index(text, "This week\n")+len("This week\n"):]
	// Last week: one tag and one new request; this week only the tag. No
	// escalation line, no "Open and unacknowledged beyond SLA: 0 (=)", no
	// time to acknowledge.
	want := "Requests tagged: 1 (=)\nDrift: no new requests"
	if got != want {
		t.Errorf("headline =\n%s\nwant\n%s", got, want)
	}
}

func TestDigestDrift(t *testing.T) {
	at := time.Date(2026, time.June, 1, 9, 0, 0, 0, time.UTC)
	reqs := func(n, untagged int, first time.Time) []record.Request {
		var rs []record.Request
		for i := range n {
			r := record.Request{Ref: fmt.Sprintf("R%d-%d", first.Day(), i), Outcome: "pos", FirstSeen: first}
			if i < untagged {
				r.Outcome = ""
			}
			rs = append(rs, r)
		}
		return rs
	}
	tests := []struct {
		name                  string
		cur, curU, prev, prvU int
		want                  string
	}{
		{"rise", 20, 3, 10, 1, "Drift: 3 of 20 new requests tied to no outcome, 15% (▲5 pts, worse)"},
		{"fall", 3, 0, 3, 1, "Drift: 0 of 3 new requests tied to no outcome, 0% (▼33 pts, better)"},
		{"one point", 100, 11, 10, 1, "Drift: 11 of 100 new requests tied to no outcome, 11% (▲1 pt, worse)"},
		{"equal", 4, 1, 8, 2, "Drift: 1 of 4 new requests tied to no outcome, 25% (=)"},
		{"none before", 2, 1, 0, 0, "Drift: 1 of 2 new requests tied to no outcome, 50% (no new requests the week before)"},
		{"none now", 0, 0, 5, 5, "Drift: no new requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := record.DigestData{Outcomes: []record.Outcome{{Key: "pos", Title: "POS", Status: record.OutcomeActive}}}
			data.NewRequests = append(reqs(tt.cur, tt.curU, at.AddDate(0, 0, -2)), reqs(tt.prev, tt.prvU, at.AddDate(0, 0, -9))...)
			data.Tags = []record.TagEvent{{Ref: "X", Outcome: "pos", At: at.Add(-time.Hour)}} // never quiet
			text := digest.Build(digest.Input{Data: data, Now: at, DefaultSLA: 4 * time.Hour}).Text
			if got := text[strings.LastIndex(text, "\n")+1:]; got != tt.want {
				t.Errorf("drift line = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDigestNotQuietWhileEscalationsOpen(t *testing.T) {
	data, now := digestQuietWeek(digestLoc(t, "America/New_York"))
	data.Escalations = append(data.Escalations, record.Escalation{N: 2, Ref: "INC2", Outcome: "infra", RaisedBy: "U_A",
		RaisedAt: now.AddDate(0, 0, -20), State: record.StateOpen})
	resp := digest.Build(digest.Input{Data: data, Now: now, DefaultSLA: 4 * time.Hour})
	if !strings.Contains(resp.Text, "Open and unacknowledged beyond SLA: 1 (=)") {
		t.Errorf("Text = %q, want the stale escalation counted", resp.Text)
	}
	if len(resp.Thread) == 0 || digestOutcomeTitles(resp)[0] != "Infrastructure (infra)" {
		t.Errorf("want infra first in the detail, got %q", digestOutcomeTitles(resp))
	}
}

// TestDigestBigWorkspaceFitsThreeMessages: a workspace with 200 outcomes
// gets the lead and at most three detail messages, each inside Slack's and
// Teams' limits; the riskiest outcomes get their sections and the rest are
// named once, with the command that shows one of them.
func TestDigestBigWorkspaceFitsThreeMessages(t *testing.T) {
	now := time.Date(2026, time.November, 23, 9, 0, 0, 0, digestLoc(t, "Europe/Berlin"))
	in := digest.Input{Data: digestSynthetic(now, 200, 5000, 400, 600), Now: now, DefaultSLA: 4 * time.Hour, TicketURL: digestTicketURL}
	resp := digest.Build(in)
	if n := len(resp.Thread); n < 1 || n > 3 {
		t.Fatalf("200-outcome digest has %d thread messages, want 1 to 3", n)
	}
	digestCheckLimits(t, resp)
	titles := digestOutcomeTitles(resp)
	if !strings.HasPrefix(titles[0], "Outcome 0:") {
		t.Errorf("want outcome-000 (most stale escalations) first, got %q", titles[0])
	}
	var more commands.Section
	for _, m := range resp.Thread {
		for _, s := range m.Sections {
			if strings.HasPrefix(s.Title, "And ") {
				more = s
			}
			if strings.HasSuffix(s.Title, ")") && strings.Contains(s.Text, "(cut to fit)") {
				t.Errorf("section %q was cut:\n%s", s.Title, s.Text)
			}
		}
	}
	starved := digestPlainLines(resp, "Starved outcomes")
	wantMore := fmt.Sprintf("And %d more outcomes", 200-len(titles)-max(0, len(starved)-1))
	if more.Title != wantMore {
		t.Errorf("more-outcomes section title = %q, want %q (%d shown, %d starved lines)", more.Title, wantMore, len(titles), len(starved))
	}
	if !strings.Contains(commands.PlainText(more.Text), "/digest preview outcome=<key>") {
		t.Errorf("more-outcomes section does not say how to see one:\n%s", more.Text)
	}
	for i, m := range resp.Thread {
		if want := fmt.Sprintf("(%d of %d)", i+1, len(resp.Thread)); len(resp.Thread) > 1 && !strings.HasSuffix(m.Text, want) {
			t.Errorf("Thread[%d].Text = %q, want suffix %q", i, m.Text, want)
		}
	}
}

// TestDigestOneOutcome: Input.Outcome shows one outcome's numbers and its
// whole section, without workspace-wide drift.
func TestDigestOneOutcome(t *testing.T) {
	in := digestCases(t)["busy"]
	in.Outcome, in.Preview = "infra-maint", true
	resp := digest.Build(in)
	if want := "Outcome digest · infra-maint · 16–23 Nov 2026"; resp.Title != want {
		t.Errorf("Title = %q, want %q", resp.Title, want)
	}
	lead := commands.PlainText(resp.Text)
	if strings.Contains(lead, "Drift") || !strings.Contains(lead, "Escalations raised 3 (▲2, worse)") {
		t.Errorf("lead:\n%s", lead)
	}
	if titles := digestOutcomeTitles(resp); !slices.Equal(titles, []string{"Infrastructure maintenance keeps stores online (infra-maint)"}) {
		t.Errorf("sections = %q, want infra-maint only", titles)
	}
	for _, m := range resp.Thread {
		for _, s := range m.Sections {
			if strings.HasPrefix(s.Title, "Drift") {
				t.Errorf("one outcome's digest shows the workspace's drift")
			}
		}
	}
	// Archived and idle: still shown when asked for by name.
	in.Outcome = "legacy-erp"
	if r := digest.Build(in); !strings.Contains(r.Text, "1 outcome followed") {
		t.Errorf("archived outcome: %q", r.Text)
	}
}

func BenchmarkBuildDigest(b *testing.B) {
	now := time.Date(2026, time.November, 23, 9, 0, 0, 0, digestLoc(b, "Europe/Berlin"))
	in := digest.Input{
		Data:       digestSynthetic(now, 200, 1000, 100, 300),
		Now:        now,
		DefaultSLA: 4 * time.Hour,
		TicketURL:  digestTicketURL,
	}
	b.ReportAllocs()
	for b.Loop() {
		digest.Build(in)
	}
}

// TestDigestNamesEveryoneWhoRaised: an escalation several people raised
// counts once and names them all.
func TestDigestNamesEveryoneWhoRaised(t *testing.T) {
	in := digestCases(t)["busy"]
	data := in.Data
	data.Escalations = slices.Clone(data.Escalations)
	escalated := 0
	for i := range data.Escalations {
		if data.Escalations[i].N == 5 {
			data.Escalations[i].Also = []record.Raiser{{By: "U_SAM"}, {By: "U_LI"}}
		}
	}
	in.Data = data
	resp := digest.Build(in)
	want := "• E-5 INC0012345 (https://acme.example/ticket/INC0012345) raised by U_MARIA with U_SAM and U_LI 19 Nov 08:00: unacknowledged for 4d 1h, beyond its 4h SLA"
	lines := strings.Split(commands.PlainText(resp.Thread[0].Sections[0].Text), "\n")
	if !slices.Contains(lines, want) {
		t.Errorf("pos-conversion section lacks %q:\n%s", want, strings.Join(lines, "\n"))
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "• E-5 ") {
			escalated++
		}
	}
	if escalated != 1 {
		t.Errorf("E-5 is listed %d times, want once", escalated)
	}
	if got, base := commands.PlainText(resp.Text), commands.PlainText(digest.Build(digestCases(t)["busy"]).Text); got != base {
		t.Errorf("joins changed the headline counts:\n%s\nwant\n%s", got, base)
	}
}

// TestDigestCountsWithdrawnReopenedAndShowsSnoozes: a withdrawn escalation
// is counted as withdrawn, not resolved; a reopening is counted; a snoozed
// one still shows, with its snooze.
func TestDigestCountsWithdrawnReopenedAndShowsSnoozes(t *testing.T) {
	in := digestCases(t)["busy"]
	data := in.Data
	data.Escalations = slices.Clone(data.Escalations)
	for i := range data.Escalations {
		switch data.Escalations[i].N {
		case 8: // resolved this week: make it a withdrawal
			data.Escalations[i].Withdrawn = true
		case 5:
			data.Escalations[i].ReopenedAt = in.Now.Add(-24 * time.Hour)
			data.Escalations[i].SnoozedUntil = in.Now.Add(20 * time.Hour)
		}
	}
	in.Data = data
	resp := digest.Build(in)
	lead := commands.PlainText(resp.Text)
	if !strings.Contains(lead, "resolved 1 (=) · withdrawn 1 (▲1, better) · reopened 1 (▲1, worse)") {
		t.Errorf("headline:\n%s", lead)
	}
	pos := commands.PlainText(resp.Thread[0].Sections[0].Text)
	if !strings.Contains(pos, "• E-5 INC0012345 (https://acme.example/ticket/INC0012345) raised by U_MARIA 19 Nov 08:00: unacknowledged for 4d 1h, beyond its 4h SLA, snoozed until 24 Nov 05:00") {
		t.Errorf("pos-conversion section:\n%s", pos)
	}
}
