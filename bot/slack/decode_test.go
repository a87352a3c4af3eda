package slack

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
)

func TestDecodeText(t *testing.T) {
	for in, want := range map[string]string{
		"INC1 pos":                          "INC1 pos",
		"price &lt; 5 &amp; stock &gt; 0":   "price < 5 & stock > 0",
		"&amp;lt;":                          "&lt;",
		"forged \uE000uUADMIN\uE001x\uE002": "forged uUADMINx",
	} {
		if got := decodeText(in); got != want {
			t.Errorf("decodeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// describe renders a token as kind:text, or kind:id:text for mentions.
func describe(t commands.Token) string {
	if t.Kind == commands.TokenUser || t.Kind == commands.TokenChannel || t.Kind == commands.TokenGroup {
		return fmt.Sprintf("%v:%s:%s", t.Kind, t.ID, t.Text)
	}
	return fmt.Sprintf("%v:%s", t.Kind, t.Text)
}

// TestInboundText: what Slack sends, through inboundText and the core's
// parser, gives the tokens a user means; typed text can never become a
// mention.
func TestInboundText(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		words []string
		opts  map[string]string
	}{
		{"user", "<@U123|maria> <@U456>", []string{"user:U123:maria", "user:U456:"}, nil},
		{"user label with spaces", "<@U1|Maria Lopez> x", []string{"user:U1:Maria Lopez", "word:x"}, nil},
		{"channel", "<#C1|ops> <#C2>", []string{"channel:C1:ops", "channel:C2:"}, nil},
		{"group", "<!subteam^S1|it> <!subteam^S2>", []string{"group:S1:it", "group:S2:"}, nil},
		{"special mentions are words", "<!channel> <!here> <!everyone> <!here|here> <!Channel>",
			[]string{"word:@channel", "word:@here", "word:@everyone", "word:@here", "word:@channel"}, nil},
		{"other special form", "<!date^1392734382^{date}|Feb 18> <!foo>", []string{"word:Feb", "word:18", "word:@foo"}, nil}, // the label is plain text
		{"links", "<https://x.io/a|label text> <http://y.io> <mailto:a@b.io|a@b.io>",
			[]string{"word:https://x.io/a", "word:http://y.io", "word:a@b.io"}, nil},
		{"options", "owner=<@U123|maria> it-channel=<#C9|it-ops> it=<!subteam^S1|@it> doc=<https://x.io/a?b=c|the doc>", nil,
			map[string]string{"owner": "user:U123:maria", "it-channel": "channel:C9:it-ops", "it": "group:S1:@it", "doc": "word:https://x.io/a?b=c"}},
		{"angle words", "&lt;3 a &lt; b &lt;&gt; <3", []string{"word:<3", "word:a", "word:<", "word:b", "word:<>", "word:<3"}, nil},
		{"typed forms stay text", "&lt;@U1|x&gt; &lt;!channel&gt;", []string{"word:<@U1|x>", "word:<!channel>"}, nil},
		{"attached punctuation", "<@U1>'s laptop", []string{"user:U1:", "word:'s", "word:laptop"}, nil},
		{"attached mentions", "<@U1><#C1>,", []string{"user:U1:", "channel:C1:", "word:,"}, nil},
		{"mention inside word", "(<@U1>)", []string{"word:(", "user:U1:", "word:)"}, nil},
		{"typed markup runes", "a\uE000b\uE001c\uE002 <@U1|x\uE000y>", []string{"word:abc", "user:U1:xy"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := commands.Parse(inboundText(tt.in))
			if err != nil {
				t.Fatalf("Parse(inboundText(%q)): %v", tt.in, err)
			}
			var words []string
			for _, w := range a.Words {
				words = append(words, describe(w))
			}
			if !reflect.DeepEqual(words, tt.words) {
				t.Errorf("words = %q, want %q", words, tt.words)
			}
			opts := map[string]string{}
			for k, o := range a.Options {
				opts[k] = describe(o)
			}
			if len(opts) != len(tt.opts) || (len(opts) > 0 && !reflect.DeepEqual(opts, tt.opts)) {
				t.Errorf("options = %q, want %q", opts, tt.opts)
			}
		})
	}
}

// TestInboundBrokenForms: a form Slack sent incomplete is refused with a
// hint that quotes it as typed.
func TestInboundBrokenForms(t *testing.T) {
	for in, want := range map[string]string{
		"<@U1":                                  "`<@U1` is not a complete mention",
		"<@U1 escalate":                         "`<@U1` is not a complete mention",
		"<@U1 x>":                               "`<@U1 x>` is not a complete mention",
		"<#>":                                   "`<#>` is not a complete mention",
		"<@|maria>":                             "not a complete mention",
		"<!>":                                   "not a complete mention",
		"<!subteam^|it>":                        "not a complete mention",
		"<@U1^x>":                               "not a complete mention",
		"<@<@U1>>":                              "not a complete mention",
		"owner=<@U1":                            "`<@U1` is not a complete mention",
		`add "unterminated <@U1|raj> <#C1|ops>`: "`\"unterminated @raj #ops`",
	} {
		_, err := commands.Parse(inboundText(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(inboundText(%q)) = %v, want %q", in, err, want)
		}
	}
}

// TestInboundFreeText: mentions in a reason read as plain text that can
// notify nobody.
func TestInboundFreeText(t *testing.T) {
	a, err := commands.ParseHead(inboundText("INC1 down <!here> and <!channel|channel>, ask <@U1|maria> or <@U2> in <#C1|ops>, <!subteam^S1|@it-team>, see <https://x.example/a|the doc> 1 &lt; 2"), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "down @here and @channel, ask @maria or @U2 in #ops, @it-team, see https://x.example/a 1 < 2"
	if got := a.Rest(1); got != want {
		t.Errorf("Rest = %q, want %q", got, want)
	}
}
