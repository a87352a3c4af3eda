package slack

import (
	"errors"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// Charts (commands.Chart) become native data_visualization blocks. Slack
// draws line, bar, area and pie charts from the data in the block: a title
// of at most 50 characters, 1–6 series of 1–20 points, each point's label
// one of the x-axis categories (at most 20 characters, unique), and at most
// two such blocks in one message. A point without a value (Missing) is left
// out of the categories: the block cannot hold a gap, and a zero would lie.
// The section's own text says the same in words, so a client that cannot
// draw the block, or a post that Slack refuses with it (postOne retries
// without), loses nothing.

// limitCharts returns sections whose charts total at most
// commands.MaxChartsPerMessage (the first ones kept), copying only when it
// must drop one.
func limitCharts(sections []commands.Section) []commands.Section {
	left := commands.MaxChartsPerMessage
	var out []commands.Section
	for i, s := range sections {
		if len(s.Charts) > left {
			if out == nil {
				out = append([]commands.Section(nil), sections...)
			}
			out[i].Charts = s.Charts[:left]
		}
		left -= min(left, len(s.Charts))
	}
	if out == nil {
		return sections
	}
	return out
}

// chartBlocks renders a section's charts; a chart with no point to draw is
// left out.
func chartBlocks(charts []commands.Chart) []sized {
	var out []sized
	for _, c := range charts {
		if b, ok := chartBlock(c); ok {
			out = append(out, sized{block: b, units: slackLen(b.Title)})
		}
	}
	return out
}

// chartBlock renders one chart, within Slack's limits.
func chartBlock(c commands.Chart) (*slack.DataVisualizationBlock, bool) {
	var (
		categories []string
		seen       = map[string]bool{}
		series     []slack.DataVisualizationDataSeries
		srcs       []commands.Series
	)
	for i, s := range c.Series {
		if i == commands.MaxChartSeries {
			break
		}
		ps := s.Present()
		if len(ps) == 0 {
			continue
		}
		if len(ps) > commands.MaxChartPoints {
			ps = ps[len(ps)-commands.MaxChartPoints:]
		}
		for _, p := range ps {
			if l := truncatePlain(p.Label, commands.MaxChartLabel); !seen[l] {
				seen[l] = true
				categories = append(categories, l)
			}
		}
		name := truncatePlain(commands.PlainText(s.Name), commands.MaxChartLabel)
		series = append(series, slack.NewDataVisualizationDataSeries(name))
		srcs = append(srcs, s)
	}
	if len(categories) == 0 || len(categories) > commands.MaxChartPoints {
		return nil, false
	}
	// Every series has exactly one point per category, in category order.
	for i := range series {
		vals := map[string]float64{}
		for _, p := range srcs[i].Present() {
			vals[truncatePlain(p.Label, commands.MaxChartLabel)] = p.Value
		}
		for _, cat := range categories {
			series[i].Data = append(series[i].Data, slack.NewDataVisualizationDataPoint(cat, vals[cat]))
		}
	}
	axis := slack.NewDataVisualizationAxisConfig(categories...)
	if c.YLabel != "" {
		axis = axis.WithYLabel(truncatePlain(commands.PlainText(c.YLabel), 50))
	}
	var chart slack.DataVisualizationChart = slack.NewDataVisualizationLineChart(axis, series...)
	if c.Kind == commands.ChartBar {
		chart = slack.NewDataVisualizationBarChart(axis, series...)
	}
	b := &slack.DataVisualizationBlock{
		Type:  slack.MBTDataVisualization,
		Title: truncatePlain(commands.PlainText(c.Title), commands.MaxChartTitle),
		Chart: chart,
	}
	if b.Title == "" || b.Validate() != nil {
		return nil, false
	}
	return b, true
}

// withoutCharts returns m without its chart blocks, and whether it had any.
func withoutCharts(m Message) (Message, bool) {
	var kept []slack.Block
	for _, b := range m.Blocks {
		if b.BlockType() != slack.MBTDataVisualization {
			kept = append(kept, b)
		}
	}
	if len(kept) == len(m.Blocks) {
		return m, false
	}
	m.Blocks = kept
	return m, true
}

// rejectedBlocks reports whether Slack refused a message for its blocks.
func rejectedBlocks(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && (se.Err == "invalid_blocks" || se.Err == "invalid_blocks_format")
}
