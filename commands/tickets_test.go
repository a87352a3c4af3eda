package commands

import (
	"strings"
	"testing"
)

func TestNormalizeRef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"INC0012345", "INC0012345"},
		{"  inc0012345 ", "INC0012345"},
		{"ritm0001", "RITM0001"},
		{"Req1", "REQ1"},
		{"chg42", "CHG42"},
		{"prb7", "PRB7"},
		{"sctask0042", "SCTASK0042"},
		{"task9", "TASK9"},
		{"ops-123", "OPS-123"},
		{"Ab2-7", "AB2-7"},
		{"ticket-abc", "TICKET-ABC"},
		{"a", "A"},
		{"v1.2_x#3/y", "V1.2_X#3/Y"},
		{strings.Repeat("a", 64), strings.Repeat("A", 64)},
		{"https://acme.service-now.com/nav_to.do?uri=incident.do?sysparm_query=number=inc0012345", "INC0012345"},
		{"https://acme.service-now.com/now/nav/ui/classic/params/target/incident.do%3Fsysparm_query%3Dnumber%3DINC0012345%5Eactive%3Dtrue", "INC0012345"},
		{"https://acme.service-now.com/nav_to.do?uri=task.do%3Fsysparm_query%3Dnumber%253DRITM0001", "RITM0001"},
		{"<https://acme.service-now.com/x.do?sysparm_query=number=CHG9|CHG9>", "CHG9"},
		{"https://acme.atlassian.net/browse/ops-123", "OPS-123"},
		{"https://acme.atlassian.net/browse/OPS-123?focusedCommentId=1", "OPS-123"},
		{"https://acme.atlassian.net/jira/software/projects/OPS/boards/1?selectedIssue=OPS-9", "OPS-9"},
		{"HTTPS://Git.Example.COM/Org/Repo/issues/12", "https://git.example.com/Org/Repo/issues/12"},
		{"https://x.example.com/Ticket/7.", "https://x.example.com/Ticket/7"},
		{"https://x.example.com/t?id=7),", "https://x.example.com/t?id=7"},
		{"https://en.example.org/wiki/A_(b)", "https://en.example.org/wiki/A_(b)"},
		{"http://Host:8080", "http://host:8080"},
		{"https://acme.service-now.com/x?sysparm_query=number=INC12abc", "https://acme.service-now.com/x?sysparm_query=number=INC12abc"},
		{"https://acme.atlassian.net/browse/OPS-12x", "https://acme.atlassian.net/browse/OPS-12x"},
	}
	for _, tt := range tests {
		got, err := NormalizeRef(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeRef(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeRefErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "a ticket reference is missing"},
		{"   ", "a ticket reference is missing"},
		{"foo bar", "`foo bar` is not a ticket reference: use a ServiceNow number (INC0012345), a Jira key (OPS-123) or the ticket's URL"},
		{strings.Repeat("a", 65), "is too long for a ticket reference (65 characters; the limit is 64)"},
		{"https://x.io/" + strings.Repeat("a", 2000), "too long (2013 characters; the limit is 2000)"},
		{"<INC1>", "is not a ticket reference"},
		{`"INC1"`, "is not a ticket reference"},
		{"'INC1'", "is not a ticket reference"},
		{"INC`1", "`INC'1` is not a ticket reference"},
		{"#123", "is not a ticket reference"},
		{"-1", "is not a ticket reference"},
		{"INC\x001", "is not a ticket reference"},
		{"inç1", "is not a ticket reference"},
		{"https://", "is not a ticket reference"},
		{"https:///path", "is not a ticket reference"},
		{"https://x.io/a b", "is not a ticket reference"},
		{"https://x.io/<script>", "is not a ticket reference"},
		{"https://u:p@x.io/t/1", "remove the part before @"},
		{"javascript:alert(1)", "is not a ticket reference"},
	}
	for _, tt := range tests {
		got, err := NormalizeRef(tt.in)
		if err == nil {
			t.Errorf("NormalizeRef(%q) = %q, want error", tt.in, got)
			continue
		}
		if _, ok := AsUserError(err); !ok {
			t.Errorf("NormalizeRef(%q) error %T is not a *UserError", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NormalizeRef(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

const acmeLinks = `^(INC|RITM|REQ|CHG|PRB|SCTASK)\d+$=https://acme.service-now.com/nav_to.do?uri=task.do?sysparm_query=number={ref};` +
	`^[A-Z][A-Z0-9]+-\d+$=https://acme.atlassian.net/browse/{ref}`

func TestTicketLinksURL(t *testing.T) {
	links, err := ParseTicketLinks(acmeLinks + "\n ;; \n^GH-(\\d+)/(\\w+)$=https://github.com/acme/{2}/issues/{1}\n^X(a=b)?\\d+$=http://x.io/{0}?q={1}")
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 4 {
		t.Fatalf("got %d links, want 4", len(links))
	}
	tests := []struct{ ref, want string }{
		{"INC0012345", "https://acme.service-now.com/nav_to.do?uri=task.do?sysparm_query=number=INC0012345"},
		{"OPS-123", "https://acme.atlassian.net/browse/OPS-123"},
		{"GH-12/web", "https://github.com/acme/web/issues/12"},
		{"X12", "http://x.io/X12?q="},
		{"Xa=b1", "http://x.io/Xa%3Db1?q=a%3Db"},
		{"TASK1", ""},
		{"ops-123", ""},
		{"https://x.io/t/1", "https://x.io/t/1"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := links.URL(tt.ref); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.ref, got, tt.want)
		}
	}
	if got := TicketLinks(nil).URL("INC1"); got != "" {
		t.Errorf("nil links URL = %q", got)
	}
}

func TestParseTicketLinksErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"^INC\\d+$", `entry 1 "^INC\\d+$": want REGEX=https://`},
		{acmeLinks + ";^(INC$=https://x.io/{ref}", `entry 3 "^(INC$=https://x.io/{ref}": regex:`},
		{"=https://x.io/{ref}", "empty regex"},
		{"^A$=https://x.io/", "has no {ref}"},
		{"^A$=https://x.io/{2}", "{2} is neither {ref} nor a submatch of the regex (it has 0)"},
		{"^A$=https://x.io/{-1}", "{-1} is neither"},
		{"^A$=https://x.io/{nope}", "{nope} is neither"},
		{"^A$=https://x.io/a b/{ref}", "has a space"},
		{"^A$=https://{ref}:x/", "does not make a URL"},
	}
	for _, tt := range tests {
		_, err := ParseTicketLinks(tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTicketLinks(%q) error = %v, want it to contain %q", tt.spec, err, tt.want)
		}
	}
	if links, err := ParseTicketLinks(" \n; "); err != nil || links != nil {
		t.Errorf("blank spec = %v, %v; want nil, nil", links, err)
	}
}

func TestRefThroughParse(t *testing.T) {
	a, err := Parse("<https://acme.atlassian.net/browse/ops-7|OPS-7> pos")
	if err != nil {
		t.Fatal(err)
	}
	if ref, err := NormalizeRef(a.Words[0].Text); err != nil || ref != "OPS-7" {
		t.Errorf("NormalizeRef(%q) = %q, %v", a.Words[0].Text, ref, err)
	}
}
