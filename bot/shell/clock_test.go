package shell_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestClockAcrossClockChanges: :clock refuses a wall time a spring-forward
// change skips (and leaves the clock where it was), and for one a fall-back
// change repeats says it took the first and how to reach the second.
func TestClockAcrossClockChanges(t *testing.T) {
	var out bytes.Buffer
	sh, _, clock := newShell(t, &out)
	ctx := context.Background()
	before := clock.Now()
	cases := []struct {
		line string
		want []string
		at   time.Time // where the clock must be after the line
	}{
		{":clock 2026-03-08T02:30 America/New_York",
			[]string{"! 2026-03-08T02:30 does not exist in America/New_York", "go forward 1h", "did not move", "2026-03-08T03:30"}, before},
		{":clock 2026-03-29T01:15 Europe/London",
			[]string{"does not exist in Europe/London", "2026-03-29T02:15"}, before},
		{":clock 2026-11-01T01:30 America/New_York",
			[]string{"01:30 happens twice in America/New_York", "the first, EDT (UTC-04:00)", "the second, EST (UTC-05:00), use :clock +1h",
				"clock: Sun 1 Nov 2026 01:30 EDT"}, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
		{":clock +1h", []string{"clock: Sun 1 Nov 2026 01:30 EST"}, time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)},
		{":clock 2026-10-04T01:45 Australia/Lord_Howe", // a 30-minute change: 01:45 is not skipped
			[]string{"clock: Sun 4 Oct 2026 01:45"}, time.Date(2026, 10, 3, 15, 15, 0, 0, time.UTC)},
		{":clock 2026-10-04T02:15 Australia/Lord_Howe",
			[]string{"does not exist in Australia/Lord_Howe", "go forward 30m"}, time.Date(2026, 10, 3, 15, 15, 0, 0, time.UTC)},
		{":clock 2026-04-05T01:45 Australia/Lord_Howe",
			[]string{"01:45 happens twice", "use :clock +30m"}, time.Date(2026, 4, 4, 14, 45, 0, 0, time.UTC)},
		{":clock 2026-11-30T09:00 Europe/London", []string{"clock: Mon 30 Nov 2026 09:00 GMT"}, time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		out.Reset()
		sh.Line(ctx, c.line)
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", c.line, w, out.String())
			}
		}
		if got := clock.Now(); !got.Equal(c.at) {
			t.Errorf("%s: clock at %s, want %s", c.line, got.UTC(), c.at.UTC())
		}
	}
}
