package intake_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/store/record"
)

// importCSV imports text into ws and fails on an import error.
func importCSV(e *env, ws, text string, opts intake.ImportOptions) intake.ImportSummary {
	e.T.Helper()
	sum, err := e.Intake.ImportCSV(context.Background(), ws, strings.NewReader(text), opts)
	if err != nil {
		e.T.Fatal(err)
	}
	return sum
}

// exportCSV exports ws.
func exportCSV(e *env, ws string) string {
	e.T.Helper()
	var b bytes.Buffer
	if _, err := e.Intake.ExportCSV(context.Background(), ws, &b); err != nil {
		e.T.Fatal(err)
	}
	return b.String()
}

// problems renders the rejected rows as "line: reason" for assertions.
func problems(s intake.ImportSummary) string {
	var b strings.Builder
	for _, p := range s.Problems {
		b.WriteString(strings.TrimSpace(p.Ref+" "+strconv.Itoa(p.Line)) + ": " + p.Reason + "\n")
	}
	return b.String()
}

// TestImportSpreadsheet reads testdata/requests.csv: a BOM, quoted
// commas and line breaks, bad dates, a duplicate, unknown outcomes, a blank
// row, a row that is not UTF-8.
func TestImportSpreadsheet(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Stores stay online"`)
	raw, err := os.ReadFile(filepath.Join("testdata", "requests.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatal("fixture lost its byte-order mark")
	}
	text := string(raw) + "INC0040099,\"Latin-1 caf\xe9\",,,,\n"
	sum := importCSV(e, "T1", text, intake.ImportOptions{Name: "requests.csv"})
	if sum.Rows != 11 || sum.Created != 6 || sum.Updated != 1 || sum.Rejected != 4 || sum.Tagged != 3 || sum.Warned != 1 {
		t.Errorf("summary %+v\n%s", sum, problems(sum))
	}
	got := problems(sum)
	for _, want := range []string{
		"INC0040004 7: \"31/02/2026\" is not a date",
		"INC0040001 8: the same ticket as line 2 (each ticket may appear once)",
		`10: "not a ref!" is not a ticket reference`,
		"INC0040099 14: not UTF-8 text",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	// An unknown outcome does not drop the row: it is stored untagged (so it
	// counts as drift) and the summary warns with its line.
	if len(sum.Warnings) != 1 || sum.Warnings[0].Line != 9 || sum.Warnings[0].Ref != "INC0040005" ||
		!strings.Contains(sum.Warnings[0].Reason, `no outcome "infrastructure"; did you mean "infra"?`) {
		t.Errorf("warnings %+v", sum.Warnings)
	}
	ctx := context.Background()
	if r, err := e.St.GetRequest(ctx, "T1", "INC0040005"); err != nil || r.Outcome != "" || r.Title != "Unknown outcome" {
		t.Errorf("INC0040005 = %+v %v, want it stored untagged", r, err)
	}
	r, err := e.St.GetRequest(ctx, "T1", "INC0040002")
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "Card reader, Leeds: declines contactless" || r.Requester != "Maria Lopez" || r.Outcome != "pos" || r.Source != "csv" {
		t.Errorf("quoted commas: %+v", r)
	}
	r, _ = e.St.GetRequest(ctx, "T1", "OPS-7")
	if r.Title != "Shelf labels wrong after price run second line" || r.Status != record.RequestClosed {
		t.Errorf("quoted line break: %+v", r)
	}
	if len(r.History) != 1 || r.History[0].By != "csv" || r.History[0].Note != "imported from requests.csv" {
		t.Errorf("history %+v", r.History)
	}
	r, _ = e.St.GetRequest(ctx, "T1", "INC0012345")
	if r.Title != "Tills reject cards" || r.Outcome != "pos" {
		t.Errorf("the chat request was not updated: %+v", r)
	}
	r, _ = e.St.GetRequest(ctx, "T1", "INC0040006")
	if r.Title != `He said "hi"` || r.Outcome != "" {
		t.Errorf("doubled quotes: %+v", r)
	}
	if sum.Columns["ref"] != "Ticket" || sum.Columns["opened"] != "Opened" || sum.Columns["requester"] != "Requested by" {
		t.Errorf("columns %v", sum.Columns)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	before := e.AuditLen("T1")
	text := "ref,title,outcome\nINC0050001,New one,pos\nINC0012345,Renamed,\nINC0050001,Again,\nINC0050002,,nope\n"
	sum := importCSV(e, "T1", text, intake.ImportOptions{DryRun: true})
	if !sum.DryRun || sum.Created != 2 || sum.Updated != 1 || sum.Rejected != 1 || sum.Warned != 1 || sum.Tagged != 1 {
		t.Errorf("dry run summary %+v\n%s", sum, problems(sum))
	}
	if e.AuditLen("T1") != before {
		t.Error("a dry run wrote to the audit stream")
	}
	if _, err := e.St.GetRequest(context.Background(), "T1", "INC0050001"); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("a dry run created a request: %v", err)
	}
	// The same rows for real give the same counts: the dry run's scratch
	// list of references is gone.
	sum = importCSV(e, "T1", text, intake.ImportOptions{})
	if sum.Created != 2 || sum.Updated != 1 || sum.Rejected != 1 || sum.Warned != 1 {
		t.Errorf("real run summary %+v", sum)
	}
}

func TestImportHeaders(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	cases := []struct {
		name, text string
		opts       intake.ImportOptions
		created    int
		err        string
	}{
		{"semicolons", "Ticket;Summary;Opened\nINC1;Drucker;16.11.2026\n", intake.ImportOptions{}, 1, ""},
		{"tabs", "number\tshort_description\nINC2\tPrinter\n", intake.ImportOptions{}, 1, ""},
		{"mapped", "Vorgang,Titel\nINC3,Drucker\n", intake.ImportOptions{Columns: map[string]string{"ref": "Vorgang", "title": "Titel"}}, 1, ""},
		{"no ref column", "Titel,Datum\nx,y\n", intake.ImportOptions{}, 0, "no ticket column"},
		{"mapped to nothing", "ref\nINC4\n", intake.ImportOptions{Columns: map[string]string{"title": "Titel"}}, 0, `no column "Titel"`},
		{"unknown field", "ref\nINC4\n", intake.ImportOptions{Columns: map[string]string{"colour": "x"}}, 0, `no field "colour"`},
		{"empty file", "", intake.ImportOptions{}, 0, "read the header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sum, err := e.Intake.ImportCSV(context.Background(), "T1", strings.NewReader(c.text), c.opts)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || sum.Created != c.created {
				t.Fatalf("summary %+v, %v\n%s", sum, err, problems(sum))
			}
		})
	}
	r, _ := e.St.GetRequest(context.Background(), "T1", "INC3")
	if r.Title != "Drucker" {
		t.Errorf("mapped title %q", r.Title)
	}
}

// TestImportExportImportIsStable: an export imports back with nothing to
// change, exports the same again, and brings the same requests into a
// fresh workspace.
func TestImportExportImportIsStable(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Seed("T2")
	raw, err := os.ReadFile(filepath.Join("testdata", "requests.csv"))
	if err != nil {
		t.Fatal(err)
	}
	importCSV(e, "T1", string(raw), intake.ImportOptions{})
	intakeItems(e, intake.Options{}, intake.Item{Ref: "OPS-90", Title: "=HYPERLINK(\"http://evil\")", Requester: "-x", Source: "jira"})
	// Titles that commandstest.Start with an apostrophe, before a formula character or
	// not, come back exactly as they were.
	odd := map[string]string{
		"OPS-91": "'=SUM(A1)", "OPS-92": "'@home", "OPS-93": "''+1 laptops", "OPS-94": "'-",
		"OPS-95": "'quoted' title", "OPS-96": "'''", "OPS-97": "@'=x",
	}
	for ref, title := range odd {
		intakeItems(e, intake.Options{}, intake.Item{Ref: ref, Title: title, Source: "jira"})
	}
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0040002 tills down in Leeds")
	// A request only ever tagged in chat: its source (chat) and its updated
	// time, which the retention clock runs from, must survive a re-import.
	ctx := context.Background()
	if _, err := e.St.Tag(ctx, "T1", "INC0040077", "pos", "UBIZ", "tills in Hull", commandstest.Start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	chat, err := e.St.GetRequest(ctx, "T1", "INC0040077")
	if err != nil || chat.Source != "chat" {
		t.Fatalf("chat-tagged request %+v %v", chat, err)
	}
	first := exportCSV(e, "T1")
	if !strings.Contains(first, "\nINC0040077,") {
		t.Fatalf("export lacks the chat-tagged request:\n%s", first)
	}

	e.Clock.Advance(24 * time.Hour)
	sum := importCSV(e, "T1", first, intake.ImportOptions{})
	if sum.Created+sum.Updated+sum.Rejected != 0 || sum.Unchanged != sum.Rows {
		t.Errorf("re-import changed something: %+v\n%s", sum, problems(sum))
	}
	if r, err := e.St.GetRequest(ctx, "T1", "INC0040077"); err != nil || r.Source != "chat" || !r.Updated.Equal(chat.Updated) || len(r.History) != 1 {
		t.Errorf("after a re-import the chat-tagged request is %+v %v; was %+v", r, err, chat)
	}
	if again := exportCSV(e, "T1"); again != first {
		t.Errorf("export changed after a re-import:\n%s\nvs\n%s", first, again)
	}

	for ref, title := range odd {
		if r, err := e.St.GetRequest(ctx, "T1", ref); err != nil || r.Title != title {
			t.Errorf("after export and import %s has title %q (%v), want %q", ref, r.Title, err, title)
		}
	}

	sum = importCSV(e, "T2", first, intake.ImportOptions{})
	if sum.Rejected != 0 || sum.Created != sum.Rows-1 || sum.Updated != 1 { // T2's seeded INC0012345 exists
		t.Errorf("import into T2: %+v\n%s", sum, problems(sum))
	}
	core := func(export string) [][]string {
		recs, err := csv.NewReader(strings.NewReader(export)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out [][]string
		for _, r := range recs {
			out = append(out, r[:7]) // ref … url: what an import carries
		}
		return out
	}
	a, b := core(first), core(exportCSV(e, "T2"))
	if len(a) != len(b) {
		t.Fatalf("T2 export has %d rows, T1 %d", len(b), len(a))
	}
	byRef := map[string]string{}
	for _, r := range a {
		byRef[r[0]] = strings.Join(r, "|")
	}
	for _, r := range b {
		if byRef[r[0]] != strings.Join(r, "|") {
			t.Errorf("T2 row %v differs from T1's %v", r, byRef[r[0]])
		}
	}
}

func TestExportColumns(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // INC0012345 tagged to pos by UADMIN at commandstest.Start
	e.Clock.Advance(time.Hour)
	e.Run("T1", "UBIZ", "CGEN", "/tag INC0012345 none not ours")
	e.Run("T1", "UBIZ", "CGEN", "/tag INC0012345 pos")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills reject cards")
	e.Clock.Advance(72 * time.Minute)
	e.Run("T1", "UIT", "CIT", "/ack E-1 on it")
	intakeItems(e, intake.Options{}, intake.Item{Ref: "OPS-3", Title: "+1 for new laptops", Source: "jira", Opened: "2026-11-15T08:00:00.123Z"})
	out := exportCSV(e, "T1")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("export %q: %v", out, err)
	}
	if strings.Join(recs[0], ",") != strings.Join(intake.ExportColumns, ",") {
		t.Errorf("header %v", recs[0])
	}
	ops, inc := recs[1], recs[2] // OPS-3 was opened before INC0012345 was first seen
	if ops[0] != "OPS-3" || ops[1] != "'+1 for new laptops" || ops[5] != "2026-11-15T08:00:00.123Z" || ops[7] != "jira" {
		t.Errorf("OPS-3 row %v", ops)
	}
	wantHist := "2026-11-16T09:00:00Z none -> pos by UADMIN | 2026-11-16T10:00:00Z pos -> none by UBIZ: not ours | 2026-11-16T10:00:00Z none -> pos by UBIZ"
	if inc[0] != "INC0012345" || inc[2] != "pos" || inc[3] != "open" || inc[10] != wantHist {
		t.Errorf("INC row %v\nhistory %q", inc, inc[10])
	}
	if want := "E-1 acknowledged: raised 2026-11-16T10:00:00Z by UBIZ; acknowledged 2026-11-16T11:12:00Z by UIT after 1h 12m"; inc[11] != want {
		t.Errorf("escalations %q, want %q", inc[11], want)
	}
}
