package commands

import (
	"strings"
	"testing"
	"time"
)

func mustHours(t *testing.T, spec string, holidays ...string) *BusinessHours {
	t.Helper()
	hs, err := ParseHolidays(strings.Join(holidays, ","))
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseBusinessHours(spec, hs)
	if err != nil {
		t.Fatalf("ParseBusinessHours(%q): %v", spec, err)
	}
	return h
}

func london(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBusinessHoursAdd: due times count only open hours, skip weekends and
// holidays, and keep the zone's wall clock across daylight-saving changes.
func TestBusinessHoursAdd(t *testing.T) {
	tests := []struct {
		name     string
		holidays []string
		start    string
		d        time.Duration
		want     string
	}{
		{"Friday evening to Monday", nil, "2026-12-04 17:30", 4 * time.Hour, "2026-12-07 11:30"},
		{"twice the SLA", nil, "2026-12-04 17:30", 8 * time.Hour, "2026-12-07 15:30"},
		{"holiday Monday", []string{"2026-12-07"}, "2026-12-04 17:30", 4 * time.Hour, "2026-12-08 11:30"},
		{"Christmas", []string{"2026-12-25", "2026-12-28"}, "2026-12-24 16:00", 4 * time.Hour, "2026-12-29 10:00"},
		{"inside the day", nil, "2026-12-07 09:00", 4 * time.Hour, "2026-12-07 13:00"},
		{"ends at closing", nil, "2026-12-07 14:00", 4 * time.Hour, "2026-12-07 18:00"},
		{"raised at night", nil, "2026-12-08 02:00", time.Hour, "2026-12-08 09:00"},
		{"raised on Sunday", nil, "2026-12-06 12:00", 90 * time.Minute, "2026-12-07 09:30"},
		{"several days", nil, "2026-12-07 08:00", 32 * time.Hour, "2026-12-10 10:00"},
		// Clocks go forward on Sunday 29 March 2026 and back on Sunday 25
		// October: opening stays 08:00 London time on both sides.
		{"spring DST week", nil, "2026-03-27 17:30", 4 * time.Hour, "2026-03-30 11:30"},
		{"autumn DST week", nil, "2026-10-23 17:00", 2 * time.Hour, "2026-10-26 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := mustHours(t, "Mon-Fri 08:00-18:00 Europe/London", tt.holidays...)
			got := h.Add(london(t, tt.start), tt.d)
			if want := london(t, tt.want); !got.Equal(want) {
				t.Errorf("Add(%s, %v) = %s, want %s", tt.start, tt.d, got.In(want.Location()).Format(time.RFC3339), tt.want)
			}
			if back := h.Between(london(t, tt.start), got); back != tt.d {
				t.Errorf("Between(start, Add(start, %v)) = %v", tt.d, back)
			}
		})
	}
}

// TestBusinessHoursBetween counts open time only.
func TestBusinessHoursBetween(t *testing.T) {
	h := mustHours(t, "Mon-Fri 08:00-18:00 Europe/London")
	for _, tt := range []struct {
		a, b string
		want time.Duration
	}{
		{"2026-12-04 17:00", "2026-12-07 09:10", 2*time.Hour + 10*time.Minute},
		{"2026-12-05 10:00", "2026-12-06 10:00", 0},
		{"2026-12-07 07:00", "2026-12-07 19:00", 10 * time.Hour},
		{"2026-12-07 10:00", "2026-12-07 09:00", -time.Hour},
		{"2026-12-07 08:00", "2026-12-14 08:00", 50 * time.Hour},
	} {
		if got := h.Between(london(t, tt.a), london(t, tt.b)); got != tt.want {
			t.Errorf("Between(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestBusinessHoursShortDay: the day clocks go forward has 23 hours, so
// an all-day schedule counts 47h over that weekend and 49h over autumn's.
func TestBusinessHoursShortDay(t *testing.T) {
	h := mustHours(t, "Mon-Sun 00:00-24:00 Europe/London")
	if got := h.Between(london(t, "2026-03-28 12:00"), london(t, "2026-03-30 12:00")); got != 47*time.Hour {
		t.Errorf("spring weekend = %v, want 47h", got)
	}
	if got := h.Between(london(t, "2026-10-24 12:00"), london(t, "2026-10-26 12:00")); got != 49*time.Hour {
		t.Errorf("autumn weekend = %v, want 49h", got)
	}
	if got := h.Add(london(t, "2026-03-28 12:00"), 47*time.Hour); !got.Equal(london(t, "2026-03-30 12:00")) {
		t.Errorf("Add over spring weekend = %v", got)
	}
}

// TestBusinessHoursNil: without business hours the clock runs 24×7.
func TestBusinessHoursNil(t *testing.T) {
	for _, spec := range []string{"", "24x7", " 24X7 "} {
		h, err := ParseBusinessHours(spec, nil)
		if err != nil || h != nil {
			t.Fatalf("ParseBusinessHours(%q) = %v, %v; want nil (round the clock)", spec, h, err)
		}
	}
	var h *BusinessHours
	start := time.Date(2026, 12, 4, 17, 30, 0, 0, time.UTC)
	if got := h.Add(start, 4*time.Hour); !got.Equal(start.Add(4 * time.Hour)) {
		t.Errorf("nil Add = %v", got)
	}
	if got := h.Between(start, start.Add(50*time.Hour)); got != 50*time.Hour {
		t.Errorf("nil Between = %v", got)
	}
	if h.String() != "24x7" || !h.NextOpening(start).IsZero() {
		t.Errorf("nil String = %q, NextOpening = %v", h.String(), h.NextOpening(start))
	}
}

// TestNextOpening is the next business morning.
func TestNextOpening(t *testing.T) {
	h := mustHours(t, "Mon-Fri 08:00-18:00 Europe/London", "2026-12-07")
	for _, tt := range []struct{ at, want string }{
		{"2026-12-04 17:30", "2026-12-08 08:00"}, // Friday, Monday a holiday
		{"2026-12-08 06:00", "2026-12-08 08:00"}, // early Tuesday: this morning
		{"2026-12-08 10:00", "2026-12-09 08:00"},
	} {
		if got := h.NextOpening(london(t, tt.at)); !got.Equal(london(t, tt.want)) {
			t.Errorf("NextOpening(%s) = %v, want %s", tt.at, got, tt.want)
		}
	}
}

// TestParseBusinessHours: good forms read back canonically; bad ones are
// refused with the form to use.
func TestParseBusinessHours(t *testing.T) {
	for in, want := range map[string]string{
		"Mon-Fri 08:00-18:00 Europe/London":    "Mon-Fri 08:00-18:00 Europe/London",
		"mon-fri  8:00-18:00  Europe/London":   "Mon-Fri 08:00-18:00 Europe/London",
		"Sun-Thu 09:00-17:30 Asia/Dubai":       "Mon-Thu,Sun 09:00-17:30 Asia/Dubai",
		"Fri,Mon,Wed 07:00-24:00 UTC":          "Mon,Wed,Fri 07:00-24:00 UTC",
		"Mon-Tue,Sat 10:00-12:00 America/Lima": "Mon,Tue,Sat 10:00-12:00 America/Lima",
	} {
		h, err := ParseBusinessHours(in, nil)
		if err != nil || h.String() != want {
			t.Errorf("ParseBusinessHours(%q) = %v, %v; want %q", in, h, err, want)
		}
	}
	for in, want := range map[string]string{
		"9 to 5":                            "Mon-Fri 08:00-18:00 Europe/London",
		"Mon-Fri 08:00-18:00":               "Mon-Fri 08:00-18:00 Europe/London",
		"Mon-Fry 08:00-18:00 Europe/London": "`Mon-Fri`",
		"Mon-Fri 18:00-08:00 Europe/London": "closing after opening",
		"Mon-Fri 08:00-25:00 Europe/London": "`08:00-18:00`",
		"Mon-Fri 08:00-18:00 EST":           "America/New_York",
		"Mon-Fri 08:00-18:00 Mars/Olympus":  "not a time zone",
		"Mon-Fri 8-18 Europe/London":        "`08:00-18:00`",
	} {
		_, err := ParseBusinessHours(in, nil)
		if _, ok := AsUserError(err); !ok || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBusinessHours(%q) = %v; want a refusal naming %q", in, err, want)
		}
	}
	if _, err := ParseHolidays("2026-12-25, 25/12/2026"); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("ParseHolidays with a bad date = %v; want a refusal naming YYYY-MM-DD", err)
	}
}

// TestBusinessText shows wall-clock time only where it differs.
func TestBusinessText(t *testing.T) {
	h := mustHours(t, "Mon-Fri 08:00-18:00 Europe/London")
	if got := WaitedText(h, london(t, "2026-12-04 17:00"), london(t, "2026-12-07 09:10")); got != "2h 10m business time (2d 16h wall-clock)" {
		t.Errorf("WaitedText over a weekend = %q", got)
	}
	if got := WaitedText(h, london(t, "2026-12-07 09:00"), london(t, "2026-12-07 10:00")); got != "1h" {
		t.Errorf("WaitedText inside the day = %q", got)
	}
	if got := WaitedText(nil, london(t, "2026-12-04 17:00"), london(t, "2026-12-07 09:10")); got != "2d 16h" {
		t.Errorf("WaitedText 24x7 = %q", got)
	}
}
