package commands

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// describe renders a token as kind:text, or kind:id:text for mentions.
func describe(t Token) string {
	if t.ID != "" || t.Kind == TokenUser || t.Kind == TokenChannel || t.Kind == TokenGroup {
		return fmt.Sprintf("%v:%s:%s", t.Kind, t.ID, t.Text)
	}
	return fmt.Sprintf("%v:%s", t.Kind, t.Text)
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		words []string
		opts  map[string]string // key → describe(token)
		order []string          // when set, Order must equal it
	}{
		{"empty", "", nil, nil, nil},
		{"blank", " \n\t\u00a0", nil, nil, nil},
		{"words", "add pos", []string{"word:add", "word:pos"}, nil, nil},
		{"unicode spaces", "a\u00a0b\u3000c\nd\te\u2028f", []string{"word:a", "word:b", "word:c", "word:d", "word:e", "word:f"}, nil, nil},
		{"quoted", `add pos "Omnichannel POS lifts"`, []string{"word:add", "word:pos", "word:Omnichannel POS lifts"}, nil, nil},
		{"smart double quotes", "“in store” x", []string{"word:in store", "word:x"}, nil, nil},
		{"low-high quotes", "„in store“", []string{"word:in store"}, nil, nil},
		{"swedish quotes", "”in store”", []string{"word:in store"}, nil, nil},
		{"mixed quotes", "\"in store”", []string{"word:in store"}, nil, nil},
		{"smart single quotes", "‘in store’", []string{"word:in store"}, nil, nil},
		{"ascii single quotes", "'in store'", []string{"word:in store"}, nil, nil},
		{"apostrophe inside quotes", "'it's done' x", []string{"word:it's done", "word:x"}, nil, nil},
		{"apostrophe in word", "can't print", []string{"word:can't", "word:print"}, nil, nil},
		{"typographic apostrophe opens nothing", "’til friday", []string{"word:’til", "word:friday"}, nil, nil},
		{"quote mid word is literal", `a"b c"`, []string{`word:a"b`, `word:c"`}, nil, nil},
		{"quote inside quotes", `"a "b" c"`, []string{`word:a "b`, `word:c"`}, nil, nil},
		{"other quotes inside quotes", "'a “b' x", []string{"word:a “b", "word:x"}, nil, nil},
		{"empty quotes", `"" x`, []string{"word:", "word:x"}, nil, nil},
		{"quoted spans lines", "\"a\nb\"", []string{"word:a\nb"}, nil, nil},
		{"here", "here HERE Here", []string{"here:here", "here:HERE", "here:Here"}, nil, nil},
		{"quoted here is a word", `"here"`, []string{"word:here"}, nil, nil},
		{
			"outcome add",
			`add pos "POS" kpi="in-store conversion" owner=` + UserMention("U123", "maria") + ` it=` + UserMention("U9", "") + ` it-channel=here sla=4h`,
			[]string{"word:add", "word:pos", "word:POS"},
			map[string]string{
				"kpi": "word:in-store conversion", "owner": "user:U123:maria", "it": "user:U9:",
				"it-channel": "here:here", "sla": "word:4h",
			},
			[]string{"kpi", "owner", "it", "it-channel", "sla"},
		},
		{"option keys lower-cased", "KPI=x It_Chan-2=y", nil, map[string]string{"kpi": "word:x", "it_chan-2": "word:y"}, []string{"kpi", "it_chan-2"}},
		{"smart-quoted option", "kpi=“a b”", nil, map[string]string{"kpi": "word:a b"}, nil},
		{"empty quoted option", `kpi=""`, nil, map[string]string{"kpi": "word:"}, nil},
		{"option value keeps =", "a=b=c", nil, map[string]string{"a": "word:b=c"}, nil},
		{"option channel", "it-channel=" + ChannelMention("C9", "it-ops"), nil, map[string]string{"it-channel": "channel:C9:it-ops"}, nil},
		{"option group", "it=" + GroupMention("S1", "@it"), nil, map[string]string{"it": "group:S1:@it"}, nil},
		{"option mention without id", "owner=" + UserMention("", "Maria Lopez"), nil, map[string]string{"owner": "user::Maria Lopez"}, nil},
		{"url is not an option", "https://x.io/?a=b", []string{"word:https://x.io/?a=b"}, nil, nil},
		{"digit first is not an option", "1a=b", []string{"word:1a=b"}, nil, nil},
		{"equals first", "=x", []string{"word:=x"}, nil, nil},
		{"user", UserMention("U123", "maria") + " " + UserMention("U456", ""), []string{"user:U123:maria", "user:U456:"}, nil, nil},
		{"user label with spaces", UserMention("U1", "Maria Lopez") + " x", []string{"user:U1:Maria Lopez", "word:x"}, nil, nil},
		{"teams id", UserMention("29:1AbC-x_y", "Maria"), []string{"user:29:1AbC-x_y:Maria"}, nil, nil},
		{"channel", ChannelMention("C1", "ops") + " " + ChannelMention("C2", ""), []string{"channel:C1:ops", "channel:C2:"}, nil, nil},
		{"group", GroupMention("S1", "it") + " " + GroupMention("S2", ""), []string{"group:S1:it", "group:S2:"}, nil, nil},
		{"platform syntax is text", "<@U1|x> <#C1> <!channel> <at>Maria</at>", []string{"word:<@U1|x>", "word:<#C1>", "word:<!channel>", "word:<at>Maria</at>"}, nil, nil},
		{"angle words", "<3 a < b <> <https://x <x y", []string{"word:<3", "word:a", "word:<", "word:b", "word:<>", "word:<https://x", "word:<x", "word:y"}, nil, nil},
		{"unclosed markup is text", "x \uE000uU1\uE001maria", []string{"word:x", "word:uU1maria"}, nil, nil},
		{"attached punctuation", UserMention("U1", "") + "'s laptop", []string{"user:U1:", "word:'s", "word:laptop"}, nil, nil},
		{"attached mentions", UserMention("U1", "") + ChannelMention("C1", "") + ",", []string{"user:U1:", "channel:C1:", "word:,"}, nil, nil},
		{"attached option-like", UserMention("U1", "") + "a=b", []string{"user:U1:", "word:a=b"}, nil, nil},
		{"mention inside word", "(" + UserMention("U1", "") + ")", []string{"word:(", "user:U1:", "word:)"}, nil, nil},
		{"mention inside quotes is its name", `"ask ` + UserMention("U1", "maria") + ` now"`, []string{"word:ask @maria now"}, nil, nil},
		{"NUL and controls", "a\x00b\x01c\x7f \u0085d\u009f", []string{"word:abc", "word:d"}, nil, nil},
		{"CR", "a\r\nb\rc\vd\fe", []string{"word:a", "word:b", "word:c", "word:d", "word:e"}, nil, nil},
		{"stray markup runes", "a\uE001b\uE002c", []string{"word:abc"}, nil, nil},
		{"invisible characters", "\ufeffINC\u200b123 a\u202eb\u2066c\u2060d", []string{"word:INC123", "word:abcd"}, nil, nil},
		{"invalid UTF-8", "a\xffb \xc3", []string{"word:a\ufffdb", "word:\ufffd"}, nil, nil},
		{"NUL is not space", "kpi=a\x00b", nil, map[string]string{"kpi": "word:ab"}, nil},
		{"long after cleaning is fine", strings.Repeat("\x00", MaxTextLen+10) + "x", []string{"word:x"}, nil, nil},
		{"exactly the limit", strings.Repeat("a", MaxTextLen), []string{"word:" + strings.Repeat("a", MaxTextLen)}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			checkInvariants(t, a)
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
			if tt.order != nil && !reflect.DeepEqual(a.Order, tt.order) {
				t.Errorf("order = %q, want %q", a.Order, tt.order)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // substring of the message
	}{
		{"unterminated", `add pos "Omnichannel POS`, "unterminated quote in `\"Omnichannel POS`; close it with \""},
		{"unterminated smart", "add “Omnichannel POS", "unterminated quote in `“Omnichannel POS`"},
		{"unterminated single", "'til friday", "close it with '"},
		{"closer not followed by space", `"abc"def`, "unterminated quote"},
		{"unterminated option", `kpi="in store`, "unterminated quote in `\"in store`"},
		{"lone quote", `"`, "unterminated quote"},
		{"long unterminated is shortened", `"` + strings.Repeat("x", 100), "xxx…`"},
		{"excerpt stops at a line break", "\"a\nb", "`\"a…`"},
		{"backtick in excerpt", "\"a`b", "`\"a'b`"},
		{"mention in excerpt is readable", `add x2 "unterminated it=` + UserMention("U1", "raj") + " " + ChannelMention("C1", "ops") + " " + UserMention("", "Dev Ops"), "`\"unterminated it=@raj #ops @Dev Ops`"},
		{"mention in single-quoted excerpt", `'til ` + UserMention("U1", "raj"), "`'til @raj`"},
		{"duplicate option", "kpi=a sla=1h KPI=b", "option `kpi` is given twice"},
		{"empty option at end", "add pos kpi=", "option `kpi=` has no value; write kpi=value"},
		{"empty option before space", "kpi= x", "option `kpi=` has no value"},
		{"empty option before newline", "kpi=\nx", "option `kpi=` has no value"},
		{"too long", strings.Repeat("a", MaxTextLen+1), "too long (3001 characters; the limit is 3000)"},
		{"far too long", strings.Repeat("\x00", 3*MaxTextLen), "too long (9000 characters; the limit is 3000)"},
		{"too long in characters", strings.Repeat("é", MaxTextLen+1), "too long (3001 characters; the limit is 3000)"},
		{"broken mention", BrokenMention("<@U1"), "`<@U1` is not a complete mention"},
		{"broken mention in option", "owner=" + BrokenMention("<@U1"), "`<@U1` is not a complete mention"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error", tt.in, a)
			}
			if _, ok := AsUserError(err); !ok {
				t.Fatalf("Parse(%q) error %T is not a *UserError", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseOffsets(t *testing.T) {
	in := "  x kpi=\"a b\" " + UserMention("U1", "m") + "  “q r”\n"
	a, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if a.Raw != strings.TrimSpace(in) {
		t.Errorf("Raw = %q", a.Raw)
	}
	got := []string{}
	for _, w := range a.Words {
		got = append(got, a.Raw[w.Start:w.End])
	}
	kpi, _ := a.Option("KPI")
	got = append(got, a.Raw[kpi.Start:kpi.End])
	want := []string{"x", UserMention("U1", "m"), "“q r”", `kpi="a b"`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("raw tokens = %q, want %q", got, want)
	}
}

// TestPlainMentions: mentions in free text become plain text that can
// notify nobody.
func TestPlainMentions(t *testing.T) {
	for in, want := range map[string]string{
		"ask " + UserMention("U1", "maria") + " or " + UserMention("U2", "") + " in " + ChannelMention("C1", "ops") + " / " + ChannelMention("C2", ""): "ask @maria or @U2 in #ops / #C2",
		GroupMention("S1", "@it-team") + " please":    "@it-team please",
		UserMention("", "Raj Patel") + " knows":       "@Raj Patel knows",
		"kept " + BrokenMention("<@U1") + " as typed": "kept <@U1 as typed",
		"1 < 2 and <3 and <@U1 broken and a>b":        "1 < 2 and <3 and <@U1 broken and a>b",
		"no mentions at all":                          "no mentions at all",
	} {
		if got := plainMentions(in); got != want {
			t.Errorf("plainMentions(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestArgsRest(t *testing.T) {
	a, err := Parse("  INC1   printer on “floor 3” is 'down' again x=1 " + UserMention("U1", "dev") + "\n\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		i    int
		want string
	}{
		{0, "INC1   printer on “floor 3” is 'down' again x=1 @dev"},
		{1, "printer on “floor 3” is 'down' again x=1 @dev"},
		{3, "“floor 3” is 'down' again x=1 @dev"},
		{7, "@dev"},
		{8, ""},
		{-1, ""},
	}
	for _, tt := range tests {
		if got := a.Rest(tt.i); got != tt.want {
			t.Errorf("Rest(%d) = %q, want %q", tt.i, got, tt.want)
		}
	}
	if o, ok := a.Option("x"); !ok || o.Text != "1" {
		t.Errorf("Option(x) = %+v, %v", o, ok)
	}
	b, _ := Parse("note=x INC1 rest of it")
	if got := b.Rest(0); got != "INC1 rest of it" {
		t.Errorf("Rest(0) after an option = %q", got)
	}
	if _, ok := b.Word(3); !ok {
		t.Error("Word(3) missing")
	}
	if _, ok := b.Word(4); ok {
		t.Error("Word(4) present")
	}
	if _, ok := (Args{}).Option("x"); ok {
		t.Error("Option on empty Args found something")
	}
}

func TestTokenKindString(t *testing.T) {
	for k, want := range map[TokenKind]string{TokenWord: "word", TokenUser: "user", TokenChannel: "channel", TokenGroup: "group", TokenHere: "here", 9: "TokenKind(9)", -1: "TokenKind(-1)"} {
		if got := k.String(); got != want {
			t.Errorf("TokenKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	tests := []struct{ in, name, rest string }{
		{"/tag INC1 pos", "tag", "INC1 pos"},
		{"tag INC1 pos", "tag", "INC1 pos"},
		{"  /Outcome   add x", "outcome", "add x"},
		{"/ESCALATE\nINC1 why\n", "escalate", "INC1 why"},
		{"/ digest", "digest", ""},
		{"help", "help", ""},
		{"/", "", ""},
		{"", "", ""},
		{"  ", "", ""},
		{"ack\u00a0E-7 done", "ack", "E-7 done"},
		{"t\x00ag x", "tag", "x"},
	}
	for _, tt := range tests {
		name, rest := SplitCommand(tt.in)
		if name != tt.name || rest != tt.rest {
			t.Errorf("SplitCommand(%q) = %q, %q; want %q, %q", tt.in, name, rest, tt.name, tt.rest)
		}
	}
}

// checkInvariants checks what every successful Parse must guarantee.
func checkInvariants(t *testing.T, a Args) {
	t.Helper()
	if utf8.RuneCountInString(a.Raw) > MaxTextLen || !utf8.ValidString(a.Raw) || a.Raw != strings.TrimSpace(a.Raw) {
		t.Fatalf("Raw %q: too long, invalid UTF-8 or untrimmed", a.Raw)
	}
	for _, r := range a.Raw {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			t.Fatalf("Raw %q holds %U", a.Raw, r)
		}
	}
	check := func(what string, tok Token) {
		if tok.Start < 0 || tok.Start > tok.End || tok.End > len(a.Raw) {
			t.Fatalf("%s %+v: offsets outside Raw (len %d)", what, tok, len(a.Raw))
		}
		if strings.ContainsAny(tok.Text+tok.ID, "\x00\uE000\uE001\uE002") {
			t.Fatalf("%s %+v: text holds NUL or a markup rune", what, tok)
		}
	}
	prev := 0
	for i, w := range a.Words {
		check(fmt.Sprint("word ", i), w)
		if w.Start < prev {
			t.Fatalf("word %d starts at %d, before the previous token's end %d", i, w.Start, prev)
		}
		prev = w.End
		if a.Rest(i) == "" {
			t.Fatalf("Rest(%d) is empty", i)
		}
	}
	if len(a.Order) != len(a.Options) {
		t.Fatalf("Order %q does not match Options", a.Order)
	}
	for _, k := range a.Order {
		o, ok := a.Options[k]
		if !ok || k != strings.ToLower(k) {
			t.Fatalf("option key %q missing or not lower-case", k)
		}
		check("option "+k, o)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`add pos "Omnichannel POS" kpi="in-store conversion" owner=<@U123|maria> it-channel=here sla=4h`,
		"“smart” ‘single’ 'ascii' „low“ ’til",
		"<#C1|ops> <!subteam^S1|it> <at>Maria Lopez</at> <!channel> <https://x.io|y>",
		"<@U1 <#> <at>x <!> <@U1><#C1>, k=<@U1",
		"owner=" + UserMention("U1", "maria") + " " + ChannelMention("C1", "ops") + "x" + BrokenMention("<@U1") + " \uE000u",
		"a=1 A=2", "kpi= x", "\"unterminated", "a\x00b\r\n\uE000\u200b\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, err := Parse(in)
		if err != nil {
			if _, ok := AsUserError(err); !ok {
				t.Fatalf("Parse(%q) error %T is not a *UserError: %v", in, err, err)
			}
			if !reflect.DeepEqual(a, Args{}) {
				t.Fatalf("Parse(%q) returned Args with an error", in)
			}
			return
		}
		checkInvariants(t, a)
		again, err := Parse(a.Raw)
		if err != nil || !reflect.DeepEqual(again, a) {
			t.Fatalf("Parse(Raw) differs from Parse(%q): %v", in, err)
		}
		// Free text never fails where the whole text parses.
		for n := 1; n <= 2; n++ {
			h, err := ParseHead(in, n)
			if err != nil {
				t.Fatalf("ParseHead(%q, %d) failed where Parse did not: %v", in, n, err)
			}
			checkInvariants(t, h)
		}
	})
}

// benchLine is a realistic /outcome add after SplitCommand, its mentions
// as an adapter writes them.
var benchLine = `add pos-conversion "Omnichannel POS lifts in-store conversion" kpi="in-store conversion rate" ` +
	`owner=` + UserMention("U0123ABCD", "maria") + ` it=` + UserMention("U0456EFGH", "dev") + ` it-channel=` + ChannelMention("C0789IJKL", "pos-it") + ` sla=4h`

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		a, err := Parse(benchLine)
		if o, _ := a.Option("owner"); err != nil || len(a.Words) != 3 || len(a.Options) != 5 || o.Kind != TokenUser {
			b.Fatalf("Parse: %+v, %v", a, err)
		}
	}
}

func TestParseHead(t *testing.T) {
	for _, c := range []struct {
		text  string
		n     int
		words []string
	}{
		{`INC1 pos note "open a=1 a=1`, 2, []string{"INC1", "pos", `note "open a=1 a=1`}},
		{`"quoted ticket" rest`, 1, []string{"quoted ticket", "rest"}},
		{`only`, 2, []string{"only"}},
		{`a b   `, 1, []string{"a", "b"}},
	} {
		a, err := ParseHead(c.text, c.n)
		if err != nil {
			t.Fatalf("ParseHead(%q, %d): %v", c.text, c.n, err)
		}
		var got []string
		for _, w := range a.Words {
			got = append(got, w.Text)
		}
		if strings.Join(got, "|") != strings.Join(c.words, "|") {
			t.Errorf("ParseHead(%q, %d) = %q, want %q", c.text, c.n, got, c.words)
		}
	}
	if _, err := ParseHead(`"unterminated rest`, 1); err == nil {
		t.Error("an unterminated quote in the head words must still be an error")
	}
}
