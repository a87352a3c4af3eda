package digest_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/record"
)

// digestSection returns the plain text of the detail section whose title
// starts with title.
func digestSection(t *testing.T, resp commands.Response, title string) string {
	t.Helper()
	for _, m := range resp.Thread {
		for _, s := range m.Sections {
			if strings.HasPrefix(s.Title, title) {
				return commands.PlainText(s.Text)
			}
		}
	}
	t.Fatalf("no section %q", title)
	return ""
}

// TestDigestShowsKPIValueTrendAndStale: beside each outcome's IT work, its
// KPI's latest value and a 12-week trend (weeks without a value as gaps),
// and a stale flag where the owner has not confirmed it for four weeks.
func TestDigestShowsKPIValueTrendAndStale(t *testing.T) {
	in := digestCases(t)["busy"]
	now := in.Now // Mon 23 Nov 2026 09:00 Berlin
	var pos []record.KPIValue
	for i := range 12 {
		if i == 3 || i == 9 {
			continue // no value those weeks
		}
		at := now.AddDate(0, 0, -7*(12-i)+1)
		pos = append(pos, record.KPIValue{Value: float64(i), Suffix: "%", At: at, By: "U_MARIA"})
	}
	pos[len(pos)-1].Value = 11.5 // the week's latest wins over an earlier one that week
	pos = append(pos[:len(pos)-1], record.KPIValue{Value: 2, Suffix: "%", At: now.AddDate(0, 0, -6).Add(-time.Hour)}, pos[len(pos)-1])
	for i := range in.Data.Outcomes {
		in.Data.Outcomes[i].CreatedAt = now.AddDate(0, -3, 0)
	}
	in.KPIs = map[string]record.OutcomeKPI{
		"pos-conversion": {Values: pos, ConfirmedAt: now.AddDate(0, 0, -27)},
		"infra-maint":    {ConfirmedAt: now.AddDate(0, 0, -28)},
		"old-crm":        {}, // archived: never stale
	}
	resp := digest.Build(in)

	p := digestSection(t, resp, "Omnichannel POS")
	for _, want := range []string{"KPI: in-store conversion rate\nKPI value: 11.5% (17 Nov 09:00) · 12-week trend ▁▂▂·▃▄▅▅▆·▇█"} {
		if !strings.Contains(p, want) {
			t.Errorf("pos-conversion section lacks %q:\n%s", want, p)
		}
	}
	if strings.Contains(p, "Stale") {
		t.Errorf("pos-conversion, confirmed 27 days ago, is flagged stale:\n%s", p)
	}
	if s := digestSection(t, resp, "Infrastructure maintenance"); !strings.Contains(s, "⚠ Stale — owner has not confirmed it is still a priority since 26 Oct 2026.") {
		t.Errorf("infra-maint, confirmed 28 days ago, is not flagged stale:\n%s", s)
	}
	if s := digestSection(t, resp, "Payroll"); !strings.Contains(s, "⚠ Stale — owner has not confirmed it is still a priority since 23 Aug 2026.") || strings.Contains(s, "KPI value") {
		t.Errorf("payroll, never confirmed, is not flagged stale since it was added, or shows a value it has not:\n%s", s)
	}
	if s := digestSection(t, resp, "Legacy CRM"); strings.Contains(s, "Stale") {
		t.Errorf("an archived outcome is flagged stale:\n%s", s)
	}

	// Not read (nil): nothing of it is shown, as before.
	in.KPIs = nil
	if s := digestSection(t, digest.Build(in), "Payroll"); strings.Contains(s, "Stale") {
		t.Errorf("stale flag without KPI data:\n%s", s)
	}
}

// TestDigestKPITrendFlatAndOld: equal values draw a flat middle line; a
// value older than twelve weeks is shown with its date but draws no trend.
func TestDigestKPITrendFlatAndOld(t *testing.T) {
	in := digestCases(t)["busy"]
	now := in.Now
	in.KPIs = map[string]record.OutcomeKPI{
		"pos-conversion": {Values: []record.KPIValue{
			{Value: 5, At: now.AddDate(0, 0, -20)}, {Value: 5, At: now.AddDate(0, 0, -2)},
		}},
		"infra-maint": {Values: []record.KPIValue{{Value: 99.9, Suffix: "%", At: now.AddDate(0, 0, -7*13)}}},
	}
	resp := digest.Build(in)
	if p := digestSection(t, resp, "Omnichannel POS"); !strings.Contains(p, "KPI value: 5 (21 Nov 09:00) · 12-week trend ·········▄·▄") {
		t.Errorf("flat trend:\n%s", p)
	}
	if s := digestSection(t, resp, "Infrastructure maintenance"); !strings.Contains(s, "KPI value: 99.9% (24 Aug 09:00)\n") || strings.Contains(s, "trend") {
		t.Errorf("old value:\n%s", s)
	}
}

// BenchmarkBuildDigestWithKPIs is BenchmarkBuildDigest with every one of
// the 200 outcomes carrying twelve weeks of KPI values and a confirmation.
func BenchmarkBuildDigestWithKPIs(b *testing.B) {
	now := time.Date(2026, time.November, 23, 9, 0, 0, 0, digestLoc(b, "Europe/Berlin"))
	in := digest.Input{
		Data:       digestSynthetic(now, 200, 1000, 100, 300),
		Now:        now,
		DefaultSLA: 4 * time.Hour,
		TicketURL:  digestTicketURL,
		KPIs:       map[string]record.OutcomeKPI{},
	}
	for _, o := range in.Data.Outcomes {
		var k record.OutcomeKPI
		for w := range 12 {
			k.Values = append(k.Values, record.KPIValue{Value: float64(w % 5), Suffix: "%", At: now.AddDate(0, 0, -7*w-1)})
		}
		slices.Reverse(k.Values)
		k.ConfirmedAt = now.AddDate(0, 0, -30)
		in.KPIs[o.Key] = k
	}
	b.ReportAllocs()
	for b.Loop() {
		digest.Build(in)
	}
}
