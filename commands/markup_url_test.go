package commands

import "testing"

func TestSafeURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://acme.service-now.com/x?a=1":   true,
		"http://jira.example.com/browse/OPS-1": true,
		"mailto:it@example.com":                true,
		"http://":                              false, // no host
		"https:/relative":                      false,
		"javascript:alert(1)":                  false,
		"ftp://files.example.com/x":            false,
		"/browse/OPS-1":                        false,
	} {
		if _, got := SafeURL(raw); got != ok {
			t.Errorf("SafeURL(%q) ok = %v, want %v", raw, got, ok)
		}
	}
	if l := (Span{Kind: SpanLink, Target: "https://x.io"}).Label(); l != "https://x.io" {
		t.Errorf("a link without a label is labelled %q", l)
	}
}
