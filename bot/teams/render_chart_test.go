package teams

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

// TestRenderChartElement: a chart becomes an Adaptive Card chart element
// (Chart.Line, Chart.VerticalBar) on a 1.5 card, weeks without data left
// out of the drawing, with a TextBlock fallback that says the values in
// words (a gap as "–") for clients that cannot draw it.
func TestRenderChartElement(t *testing.T) {
	points := []commands.Point{{Label: "2 Nov", Missing: true}, {Label: "9 Nov", Value: 25}, {Label: "16 Nov", Value: 33}}
	resp := commands.Response{Title: "Weekly outcome digest", Text: "Drift: `·▆█` 25% → 33%", Sections: []commands.Section{{Charts: []commands.Chart{
		{Title: "Drift: % of new requests untagged", Kind: commands.ChartLine, Series: []commands.Series{{Name: "Drift %", Points: points}}},
		{Title: "Open beyond SLA at week end", Kind: commands.ChartBar, Series: []commands.Series{{Name: "Beyond SLA", Points: points}}},
	}}}}
	msgs := renderResponse(resp, testDir)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	raw, err := json.Marshal(msgs[0].Attachments[0].Content)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Version string `json:"version"`
		Body    []struct {
			Type     string          `json:"type"`
			Title    string          `json:"title"`
			Data     json.RawMessage `json:"data"`
			Fallback *struct{ Type, Text string }
		} `json:"body"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, el := range c.Body {
		if !strings.HasPrefix(el.Type, "Chart.") {
			continue
		}
		kinds = append(kinds, el.Type)
		if el.Fallback == nil || el.Fallback.Type != "TextBlock" || !strings.Contains(el.Fallback.Text, "2 Nov –, 9 Nov 25, 16 Nov 33") {
			t.Errorf("%s: fallback %+v", el.Type, el.Fallback)
		}
		if strings.Contains(string(el.Data), "2 Nov") {
			t.Errorf("%s draws the week without data: %s", el.Type, el.Data)
		}
	}
	if c.Version != "1.5" || strings.Join(kinds, ",") != "Chart.Line,Chart.VerticalBar" {
		t.Fatalf("card %s with %v", c.Version, kinds)
	}
	if !strings.Contains(string(raw), `"data":[{"legend":"Drift %","values":[{"x":"9 Nov","y":25},{"x":"16 Nov","y":33}]}]`) ||
		!strings.Contains(string(raw), `"data":[{"x":"9 Nov","y":25},{"x":"16 Nov","y":33}]`) {
		t.Errorf("chart data:\n%s", raw)
	}
}
