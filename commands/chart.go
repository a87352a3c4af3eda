package commands

import "strings"

// Chart is a small chart a Section carries (Section.Charts): a few named
// series over the same labelled points, such as twelve weeks. Renderers
// draw it natively where the platform can (Slack: a data_visualization
// block; Teams: an Adaptive Card chart element with a text fallback) and
// leave it out elsewhere, so the section's text must say the same thing in
// words (a Sparkline, for instance). A Missing point (a week the bot did
// not exist) is left out of native charts, never drawn as zero.
type Chart struct {
	Title  string // plain text, at most MaxChartTitle runes
	Kind   ChartKind
	YLabel string // optional axis title, plain text
	Series []Series
}

// ChartKind is how a chart draws its series.
type ChartKind int

const (
	// ChartLine draws each series as a line.
	ChartLine ChartKind = iota
	// ChartBar draws each point as a vertical bar.
	ChartBar
)

// Series is one named line or set of bars of a Chart.
type Series struct {
	Name   string // plain text, at most MaxChartLabel runes
	Points []Point
}

// Point is one value of a Series. Label names it on the x axis (at most
// MaxChartLabel runes, unique within the series); a Missing point has no
// value at all.
type Point struct {
	Label   string
	Value   float64
	Missing bool
}

// Chart limits every platform can draw (Slack's data_visualization block:
// a 50-character title, 20-character labels and series names, 1–20 points
// per series, 1–6 series, and at most two charts in one message).
const (
	MaxChartTitle       = 50
	MaxChartLabel       = 20
	MaxChartPoints      = 20
	MaxChartSeries      = 6
	MaxChartsPerMessage = 2
)

// Present returns the points of s that have a value, in order.
func (s Series) Present() []Point {
	out := make([]Point, 0, len(s.Points))
	for _, p := range s.Points {
		if !p.Missing {
			out = append(out, p)
		}
	}
	return out
}

// sparkBars are the eight heights of a sparkline, lowest first.
var sparkBars = []rune("▁▂▃▄▅▆▇█")

// SparkGap stands for a point without a value in a Sparkline.
const SparkGap = '·'

// Sparkline draws values as one line of block characters, one per point,
// scaled from zero (or the lowest value, if negative) to the highest, with
// SparkGap for a Missing point: "··▁▃▅▂█". When every value is zero the
// line stays at the bottom. No points draw "".
func Sparkline(points []Point) string {
	lo, hi := 0.0, 0.0
	for _, p := range points {
		if !p.Missing {
			lo, hi = min(lo, p.Value), max(hi, p.Value)
		}
	}
	return spark(points, lo, hi, sparkBars[0])
}

// SparklineRange draws values like Sparkline but scaled from their lowest
// to their highest value, for a number whose level is not the point (a
// KPI moving between 3.1% and 3.5%); all equal draws the middle height.
// "" when no point has a value.
func SparklineRange(points []Point) string {
	lo, hi, found := 0.0, 0.0, false
	for _, p := range points {
		if !p.Missing {
			if !found {
				lo, hi, found = p.Value, p.Value, true
			}
			lo, hi = min(lo, p.Value), max(hi, p.Value)
		}
	}
	if !found {
		return ""
	}
	return spark(points, lo, hi, sparkBars[(len(sparkBars)-1)/2])
}

// spark draws points scaled between lo and hi, flat when they are equal.
func spark(points []Point, lo, hi float64, flat rune) string {
	var b strings.Builder
	for _, p := range points {
		switch {
		case p.Missing:
			b.WriteRune(SparkGap)
		case hi == lo:
			b.WriteRune(flat)
		default:
			level := int((p.Value-lo)/(hi-lo)*float64(len(sparkBars)-1) + 0.5)
			b.WriteRune(sparkBars[max(0, min(level, len(sparkBars)-1))])
		}
	}
	return b.String()
}
