package slack

import "testing"

func TestDecodeText(t *testing.T) {
	for in, want := range map[string]string{
		"INC1 pos":                        "INC1 pos",
		"price &lt; 5 &amp; stock &gt; 0": "price < 5 & stock > 0",
		"typed &lt;@U1&gt; and &lt;!channel&gt; &lt;#C1&gt;": "typed ＜@U1> and ＜!channel> ＜#C1>",
		"real <@U2|maria> stays":                             "real <@U2|maria> stays",
		"&amp;lt;":                                           "&lt;",
	} {
		if got := decodeText(in); got != want {
			t.Errorf("decodeText(%q) = %q, want %q", in, got, want)
		}
	}
}
