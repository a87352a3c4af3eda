package commands_test

import (
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

func pts(vals ...float64) []commands.Point {
	out := make([]commands.Point, len(vals))
	for i, v := range vals {
		out[i] = commands.Point{Label: string(rune('a' + i)), Value: v, Missing: v < 0}
	}
	return out
}

// TestSparkline: one character per week, scaled from zero to the highest
// value, with a gap character (never a bar) for a week without data.
func TestSparkline(t *testing.T) {
	cases := []struct {
		name string
		in   []commands.Point
		want string
	}{
		{"none", nil, ""},
		{"rising from zero", pts(0, 1, 2, 3, 4, 5, 6, 7), "▁▂▃▄▅▆▇█"},
		{"gap before the bot existed", pts(-1, -1, 0, 7), "··▁█"},
		{"gap in the middle", pts(2, -1, 4), "▅·█"},
		{"all zero stays low", pts(0, 0, 0), "▁▁▁"},
		{"all equal is full height", pts(5, 5), "██"},
		{"all missing", pts(-1, -1), "··"},
		{"scaled from zero, not from the lowest", pts(50, 100), "▅█"},
	}
	for _, tc := range cases {
		if got := commands.Sparkline(tc.in); got != tc.want {
			t.Errorf("%s: Sparkline = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSeriesPresent(t *testing.T) {
	s := commands.Series{Name: "x", Points: pts(-1, 3, -1, 4)}
	got := s.Present()
	if len(got) != 2 || got[0].Value != 3 || got[1].Value != 4 {
		t.Fatalf("Present = %+v", got)
	}
}
