package teams

import (
	"strconv"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
)

// Charts (commands.Chart) become Adaptive Card chart elements, which Teams
// draws in cards of version 1.5: Chart.Line, whose data is a list of series
// {legend, values: [{x, y}]}, and Chart.VerticalBar, whose data is a list
// of bars {x, y} (its first series only). Each carries a fallback: a
// TextBlock with the chart's title and values in words, shown by clients
// that cannot draw the chart. A point without a value (Missing) is left
// out of the drawn chart and shown as "–" in the fallback.

// chartPoint is one {x, y} of a chart's data.
type chartPoint struct {
	X string  `json:"x"`
	Y float64 `json:"y"`
}

// chartSeries is one line of a Chart.Line.
type chartSeries struct {
	Legend string       `json:"legend"`
	Values []chartPoint `json:"values"`
}

// chartBlocks renders a section's charts; one with no point to draw is
// left out.
func chartBlocks(charts []commands.Chart, dir directory) []block {
	var out []block
	for _, c := range charts {
		if el, ok := chartElement(c, dir); ok {
			out = append(out, block{el: el})
		}
	}
	return out
}

// chartElement renders one chart with its text fallback.
func chartElement(c commands.Chart, dir directory) (element, bool) {
	var lines []chartSeries
	for i, s := range c.Series {
		if i == commands.MaxChartSeries {
			break
		}
		ps := s.Present()
		if len(ps) > commands.MaxChartPoints {
			ps = ps[len(ps)-commands.MaxChartPoints:]
		}
		if len(ps) == 0 {
			continue
		}
		cs := chartSeries{Legend: plainText(s.Name, dir)}
		for _, p := range ps {
			cs.Values = append(cs.Values, chartPoint{X: plainText(p.Label, dir), Y: p.Value})
		}
		lines = append(lines, cs)
	}
	if len(lines) == 0 {
		return element{}, false
	}
	fallback := &element{Type: "TextBlock", Wrap: true, Text: markdownEscape(chartText(c))}
	el := element{Type: "Chart.Line", Title: plainText(c.Title, dir), Data: lines, Fallback: fallback, Spacing: "Medium"}
	if c.Kind == commands.ChartBar {
		el.Type, el.Data = "Chart.VerticalBar", lines[0].Values
	}
	return el, true
}

// chartText says a chart in words: "Title: 2 Nov 3, 9 Nov –, 16 Nov 5".
func chartText(c commands.Chart) string {
	parts := make([]string, 0, 1+len(c.Series))
	for _, s := range c.Series {
		var vals []string
		for _, p := range s.Points {
			v := "–"
			if !p.Missing {
				v = strconv.FormatFloat(p.Value, 'f', -1, 64)
			}
			vals = append(vals, commands.PlainText(p.Label)+" "+v)
		}
		parts = append(parts, commands.PlainText(s.Name)+": "+strings.Join(vals, ", "))
	}
	return commands.PlainText(c.Title) + ". " + strings.Join(parts, "; ")
}
