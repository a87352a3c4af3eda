package digest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/record"
)

// TestDigestNamesItsWindow: the context line names the counted window
// exactly, with the zone's abbreviations and its length when the clocks
// change inside it, and a preview between runs says it is the week so far
// and what it is compared with.
func TestDigestNamesItsWindow(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	london, lordHowe := load("Europe/London"), load("Australia/Lord_Howe")
	w := func(from, to time.Time) digest.Window { return digest.Window{From: from, To: to} }
	d := func(loc *time.Location, y int, m time.Month, day, h, mi int) time.Time {
		return time.Date(y, m, day, h, mi, 0, 0, loc)
	}
	cases := []struct {
		name string
		in   digest.Input
		want string
	}{
		{"a plain week", digest.Input{Now: d(london, 2026, 12, 7, 9, 0),
			Week: w(d(london, 2026, 11, 30, 9, 0), d(london, 2026, 12, 7, 9, 0)), Previous: w(d(london, 2026, 11, 23, 9, 0), d(london, 2026, 11, 30, 9, 0))},
			"week of Mon 30 Nov 09:00 – Mon 7 Dec 09:00 Europe/London"},
		{"the clocks go back inside it", digest.Input{Now: d(london, 2026, 10, 26, 9, 0),
			Week: w(d(london, 2026, 10, 19, 9, 0), d(london, 2026, 10, 26, 9, 0))},
			"week of Mon 19 Oct 09:00 BST – Mon 26 Oct 09:00 GMT Europe/London, 169 hours"},
		{"a half-hour change", digest.Input{Now: d(lordHowe, 2026, 10, 5, 9, 0),
			Week: w(d(lordHowe, 2026, 9, 28, 9, 0), d(lordHowe, 2026, 10, 5, 9, 0))},
			"week of Mon 28 Sep 09:00 +1030 – Mon 5 Oct 09:00 +11 Australia/Lord_Howe, 167h 30m"},
		{"a preview between runs", digest.Input{Now: d(london, 2026, 12, 3, 14, 20), SoFar: true,
			Week: w(d(london, 2026, 11, 30, 9, 0), d(london, 2026, 12, 3, 14, 20)), Previous: w(d(london, 2026, 11, 23, 9, 0), d(london, 2026, 11, 26, 14, 20))},
			"so far: Mon 30 Nov 09:00 – Thu 3 Dec 14:20 Europe/London; compared with Mon 23 Nov 09:00 – Thu 26 Nov 14:20"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Data = record.DigestData{}
			if got := digest.Build(c.in).Context; got != c.want {
				t.Errorf("Context = %q, want %q", got, c.want)
			}
		})
	}
}

// TestDigestSoFarComparesLikeForLike: a preview on Thursday compares the
// week so far with the same span of the week before, not with all of it.
func TestDigestSoFarComparesLikeForLike(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	d := func(day, h int) time.Time { return time.Date(2026, 11, day, h, 0, 0, 0, london) }
	esc := func(n int64, raised time.Time) record.Escalation {
		return record.Escalation{N: n, Ref: "INC" + string(rune('0'+n)), Outcome: "pos", RaisedBy: "UA", RaisedAt: raised,
			State: record.StateResolved, AckAt: raised.Add(time.Hour), ResolvedAt: raised.Add(2 * time.Hour)}
	}
	in := digest.Input{
		Now: time.Date(2026, 12, 3, 14, 20, 0, 0, london), SoFar: true,
		Week:     digest.Window{From: d(30, 9), To: time.Date(2026, 12, 3, 14, 20, 0, 0, london)},
		Previous: digest.Window{From: d(23, 9), To: d(26, 14)},
		Data: record.DigestData{
			Outcomes:    []record.Outcome{{Key: "pos", Title: "Point of sale", Status: record.OutcomeActive}},
			Escalations: []record.Escalation{esc(1, d(24, 10)), esc(2, d(28, 10)), esc(3, time.Date(2026, 12, 1, 10, 0, 0, 0, london))},
		},
	}
	if got := digest.Build(in).Text; !strings.Contains(got, "Escalations raised 1 (=)") {
		t.Errorf("the escalation raised on Saturday, after the compared span, was compared:\n%s", got)
	}
}
