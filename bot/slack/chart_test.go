package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

// weekChart is a chart of n weekly points, the first gaps of them Missing.
func weekChart(title string, kind commands.ChartKind, n, gaps int) commands.Chart {
	var ps []commands.Point
	for i := range n {
		ps = append(ps, commands.Point{Label: fmt.Sprintf("W%02d", i+1), Value: float64(i), Missing: i < gaps})
	}
	return commands.Chart{Title: title, Kind: kind, Series: []commands.Series{{Name: "Drift %", Points: ps}}}
}

// blocksJSON is the blocks of a rendered message as Slack receives them.
func blocksJSON(t *testing.T, m Message) []map[string]any {
	t.Helper()
	b, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRenderChartBlock: a chart becomes a native data_visualization block
// with at most 20 points, weeks without data left out (never drawn as
// zero), and at most two charts in one message.
func TestRenderChartBlock(t *testing.T) {
	resp := commands.Response{Title: "Weekly outcome digest", Text: "Drift: `··▁▃█` 0% → 30%", Sections: []commands.Section{
		{Charts: []commands.Chart{weekChart("Drift", commands.ChartLine, 24, 2), weekChart("Open beyond SLA", commands.ChartBar, 12, 9)}},
		{Text: "more", Charts: []commands.Chart{weekChart("Third", commands.ChartLine, 12, 0)}},
	}}
	msgs := Render(resp)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	var charts []map[string]any
	for _, b := range blocksJSON(t, msgs[0]) {
		if b["type"] == "data_visualization" {
			charts = append(charts, b)
		}
	}
	if len(charts) != 2 {
		t.Fatalf("%d chart blocks, want 2 (at most two per message)", len(charts))
	}
	line, bar := charts[0]["chart"].(map[string]any), charts[1]["chart"].(map[string]any)
	if line["type"] != "line" || bar["type"] != "bar" || charts[0]["title"] != "Drift" {
		t.Fatalf("chart types %v %v, title %v", line["type"], bar["type"], charts[0]["title"])
	}
	for _, c := range []map[string]any{line, bar} {
		cats := c["axis_config"].(map[string]any)["categories"].([]any)
		data := c["series"].([]any)[0].(map[string]any)["data"].([]any)
		if len(cats) > commands.MaxChartPoints || len(data) != len(cats) {
			t.Errorf("%d categories, %d points", len(cats), len(data))
		}
	}
	// 24 weeks with 2 gaps: the last 20 drawn; 12 weeks with 9 gaps: 3 drawn.
	if cats := line["axis_config"].(map[string]any)["categories"].([]any); len(cats) != 20 || cats[0] != "W05" {
		t.Errorf("line categories %v", cats)
	}
	if cats := bar["axis_config"].(map[string]any)["categories"].([]any); len(cats) != 3 || cats[0] != "W10" {
		t.Errorf("bar categories %v", cats)
	}
	if !strings.Contains(msgs[0].Text, "··▁▃█") {
		t.Errorf("notification text lacks the sparkline: %q", msgs[0].Text)
	}
}

// TestChartRefusedPostsWithout: when Slack refuses the chart block, the
// message is posted again without it, never lost.
func TestChartRefusedPostsWithout(t *testing.T) {
	h := newHarness(t, nil)
	h.slack.mu.Lock()
	h.slack.noChart = true
	h.slack.mu.Unlock()
	resp := commands.Response{Title: "Weekly outcome digest", Text: "Drift: `··▁▃█` 0% → 30%",
		Sections: []commands.Section{{Charts: []commands.Chart{weekChart("Drift", commands.ChartLine, 12, 2)}}}}
	ref, err := h.a.Poster().Post(t.Context(), commands.Destination{Workspace: "T1", Channel: "CLEAD"}, resp)
	if err != nil || ref.ID == "" {
		t.Fatalf("post: %v %+v", err, ref)
	}
	refused, posted := h.slack.Calls("chat.postMessage:refused"), h.slack.Calls("chat.postMessage")
	if len(refused) != 1 || len(posted) != 1 {
		t.Fatalf("%d refused, %d posted", len(refused), len(posted))
	}
	blocks := posted[0].Form.Get("blocks")
	if strings.Contains(blocks, "data_visualization") || !strings.Contains(blocks, "··▁▃█") {
		t.Fatalf("posted blocks: %s", blocks)
	}
}
