package slack

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

// limitText is n characters of text that escaping lengthens (& < >), with
// emoji (two units each) and line breaks, so cuts fall in awkward places.
func limitText(r *rand.Rand, n int) string {
	parts := []string{"word ", "& ", "<b> ", "😀", "\n", "INC0012345 ", "ü", "*bold* "}
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()
}

// largeResponses are synthetic Responses at and past every limit: the
// named worst cases, then random ones.
func largeResponses() map[string]commands.Response {
	r := rand.New(rand.NewPCG(1, 2))
	out := map[string]commands.Response{}
	var tenLong []commands.Field
	for i := range 10 {
		tenLong = append(tenLong, commands.Field{Label: fmt.Sprint("F", i), Value: strings.Repeat("x", 2500)})
	}
	out["ten 2000-char fields"] = commands.Response{Title: "Fields", Sections: []commands.Section{{Fields: tenLong}}}
	var buttons []commands.Button
	for i := range 200 {
		buttons = append(buttons, commands.Button{Label: strings.Repeat("L", 100), Action: "ack", Value: fmt.Sprint("E-", i)})
	}
	out["200 long buttons"] = commands.Response{Title: "Buttons", Text: "many", Buttons: buttons}
	out["long title and text"] = commands.Response{Title: strings.Repeat("T", 1000), Text: limitText(r, 60000), Context: limitText(r, 5000)}
	for i := range 24 {
		resp := commands.Response{Title: limitText(r, r.IntN(400)), Text: limitText(r, r.IntN(16000)), Context: limitText(r, r.IntN(3000))}
		for range r.IntN(30) {
			s := commands.Section{Title: limitText(r, r.IntN(200)), Text: limitText(r, r.IntN(5000))}
			for range r.IntN(25) {
				s.Fields = append(s.Fields, commands.Field{Label: limitText(r, r.IntN(100)), Value: limitText(r, r.IntN(2600))})
			}
			if r.IntN(4) == 0 {
				s.Picker = &commands.Picker{Action: "pick", Value: fmt.Sprint("p", i), Placeholder: limitText(r, r.IntN(300))}
				for j := range r.IntN(130) {
					s.Picker.Options = append(s.Picker.Options, commands.Choice{Label: limitText(r, r.IntN(120)), Value: fmt.Sprint(j)})
				}
			}
			resp.Sections = append(resp.Sections, s)
		}
		for j := range r.IntN(400) {
			resp.Buttons = append(resp.Buttons, commands.Button{Label: limitText(r, 1+r.IntN(150)), Action: "act", Value: fmt.Sprint(j)})
		}
		out[fmt.Sprint("random ", i)] = resp
	}
	return out
}

// TestRenderStaysWithinSlackLimits checks every rendered message against
// Slack's limits, counting from the blocks' JSON as Slack would see them.
func TestRenderStaysWithinSlackLimits(t *testing.T) {
	for name, resp := range largeResponses() {
		msgs := Render(resp)
		if len(msgs) == 0 {
			t.Fatalf("%s: no message", name)
		}
		buttons := 0
		for i, m := range msgs {
			where := fmt.Sprintf("%s: message %d of %d", name, i+1, len(msgs))
			if n := slackLen(m.Text); n == 0 || n > maxFallbackText {
				t.Errorf("%s: fallback text of %d", where, n)
			}
			if len(m.Blocks) > 50 {
				t.Errorf("%s: %d blocks", where, len(m.Blocks))
			}
			js, err := json.Marshal(m.Blocks)
			if err != nil {
				t.Fatal(err)
			}
			var blocks []map[string]any
			if err := json.Unmarshal(js, &blocks); err != nil {
				t.Fatal(err)
			}
			total := 0
			count := func(what string, v any, max int) {
				s, _ := v.(string)
				n := slackLen(s)
				if n > max {
					t.Errorf("%s: %s of %d characters (max %d)", where, what, n, max)
				}
				total += n
			}
			for _, b := range blocks {
				switch b["type"] {
				case "header":
					count("header", textField(b["text"]), 150)
				case "section":
					if b["text"] != nil {
						count("section text", textField(b["text"]), 3000)
					}
					fields, _ := b["fields"].([]any)
					if len(fields) > 10 {
						t.Errorf("%s: %d fields", where, len(fields))
					}
					for _, f := range fields {
						count("field", textField(f), 2000)
					}
					if acc, ok := b["accessory"].(map[string]any); ok {
						count("placeholder", textField(acc["placeholder"]), 150)
						opts, _ := acc["options"].([]any)
						if len(opts) > 100 {
							t.Errorf("%s: %d options", where, len(opts))
						}
						for _, o := range opts {
							count("option", textField(o.(map[string]any)["text"]), 75)
						}
					}
				case "actions":
					els, _ := b["elements"].([]any)
					if len(els) > 25 {
						t.Errorf("%s: %d buttons in one block", where, len(els))
					}
					for _, e := range els {
						count("button text", textField(e.(map[string]any)["text"]), 75)
						buttons++
					}
				case "context":
					els, _ := b["elements"].([]any)
					for _, e := range els {
						count("context", textField(e), 2000)
					}
				default:
					t.Errorf("%s: unexpected block %v", where, b["type"])
				}
			}
			if total > 12000 {
				t.Errorf("%s: %d characters in all (max 12,000)", where, total)
			}
		}
		if buttons != len(resp.Buttons) {
			t.Errorf("%s: %d of %d buttons rendered", name, buttons, len(resp.Buttons))
		}
	}
}

// textField is the "text" of a text object.
func textField(v any) any {
	m, _ := v.(map[string]any)
	return m["text"]
}
