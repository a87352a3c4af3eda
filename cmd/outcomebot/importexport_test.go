package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestMain runs this package's tests on a real Redis (see storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// toolEnv runs the command line against the test Redis in a fresh workspace.
type toolEnv struct {
	t   *testing.T
	ws  string
	st  *store.Store
	env map[string]string
	dir string
}

func newToolEnv(t *testing.T) *toolEnv {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	ws := "TCLI" + strings.ToUpper(hex.EncodeToString(b[:]))
	rdb := storetest.Client(t)
	st := store.New(rdb, store.Options{}) // the CLI uses the default prefix
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, "ob:{"+ws+"}:*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		rdb.SRem(ctx, "ob:workspaces", ws)
	})
	if err := st.CreateOutcome(context.Background(), ws, record.Outcome{Key: "pos", Title: "Point of sale", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return &toolEnv{t: t, ws: ws, st: st, dir: t.TempDir(),
		env: map[string]string{"REDIS_URL": "redis://" + storetest.Addr() + "/0"}}
}

// run runs the command line and returns stdout, stderr and the error.
func (e *toolEnv) run(args ...string) (string, string, error) {
	e.t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errOut, func(k string) string { return e.env[k] })
	return out.String(), errOut.String(), err
}

func (e *toolEnv) file(name, content string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

const sheet = "\ufeffVorgang,Title,Outcome,Opened,Status\n" +
	"INC0070001,\"Till, Leeds\",pos,2026-11-16,open\n" +
	"INC0070002,Printer,,2026-11-17 08:00,Closed\n" +
	"INC0070003,Bad date,,2026-02-31,\n"

func TestImportCommand(t *testing.T) {
	e := newToolEnv(t)
	csvPath := e.file("sheet.csv", sheet)

	// Flags may follow the file; a mapped column; a dry run writes nothing.
	out, _, err := e.run("import", csvPath, "--workspace", e.ws, "--ref-column", "Vorgang", "--dry-run")
	if err == nil || !strings.Contains(err.Error(), "1 of 3 rows rejected") {
		t.Errorf("dry run err = %v", err)
	}
	for _, want := range []string{
		"3 rows checked for " + e.ws + " (dry run: nothing was written)",
		"2 created, 0 updated, 0 unchanged, 1 rejected; 1 tagged",
		`columns: opened="Opened", outcome="Outcome", ref="Vorgang", status="Status", title="Title"`,
		`line 4 INC0070003: "2026-02-31" is not a date`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if _, err := e.st.GetRequest(context.Background(), e.ws, "INC0070001"); err == nil {
		t.Fatal("the dry run wrote")
	}

	out, _, err = e.run("import", "--workspace", e.ws, "--ref-column=Vorgang", csvPath)
	if err == nil || !strings.Contains(out, "2 created") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	r, err := e.st.GetRequest(context.Background(), e.ws, "INC0070001")
	if err != nil || r.Title != "Till, Leeds" || r.Outcome != "pos" {
		t.Errorf("imported %+v %v", r, err)
	}

	// Export to a file, and the export imports back unchanged.
	exportPath := filepath.Join(e.dir, "export.csv")
	if _, errOut, err := e.run("export", "--workspace", e.ws, "--output", exportPath); err != nil || !strings.Contains(errOut, "exported 2 requests") {
		t.Fatalf("export: %v %s", err, errOut)
	}
	exported, _ := os.ReadFile(exportPath)
	if !strings.HasPrefix(string(exported), "ref,title,outcome,status,requester,opened,url,source,first_seen,updated,tag_history,escalations\n") {
		t.Errorf("export:\n%s", exported)
	}
	out, _, err = e.run("import", "--workspace", e.ws, exportPath)
	if err != nil || !strings.Contains(out, "0 created, 0 updated, 2 unchanged, 0 rejected") {
		t.Errorf("re-import: %v\n%s", err, out)
	}
	stdout, _, err := e.run("export", "--workspace", e.ws)
	if err != nil || stdout != string(exported) {
		t.Errorf("export to stdout differs: %v\n%s", err, stdout)
	}
}

func TestImportCommandRefusals(t *testing.T) {
	e := newToolEnv(t)
	csvPath := e.file("sheet.csv", sheet)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no workspace", e.env, []string{"import", csvPath}, "need --workspace"},
		{"two files", e.env, []string{"import", "--workspace", e.ws, csvPath, csvPath}, "one CSV file"},
		{"missing file", e.env, []string{"import", "--workspace", e.ws, filepath.Join(e.dir, "nope.csv")}, "no such file"},
		{"no redis", map[string]string{}, []string{"import", "--workspace", e.ws, csvPath}, "set REDIS_URL"},
		{"dry run, no redis", map[string]string{}, []string{"import", "--workspace", e.ws, "--dry-run", csvPath}, "import: set REDIS_URL"},
		{"export, no redis", map[string]string{}, []string{"export", "--workspace", e.ws}, "export: set REDIS_URL"},
		{"no-redis writing", map[string]string{}, []string{"import", "--workspace", e.ws, "--no-redis", csvPath}, "only goes with --dry-run"},
		{"bad delimiter", e.env, []string{"import", "--workspace", e.ws, "--delimiter", "|", csvPath}, "--delimiter"},
		{"no ref column", e.env, []string{"import", "--workspace", e.ws, csvPath}, "no ticket column"},
		{"unknown flag", e.env, []string{"import", "--workspace", e.ws, "--colour", csvPath}, "flag provided but not defined"},
		{"export extra", e.env, []string{"export", "--workspace", e.ws, "x.csv"}, "nothing else"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.env = c.env
			_, _, err := e.run(c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestImportCommandWarnsOnOutcome: a row with an unknown outcome goes in
// untagged and the summary lists it, with its line, as a warning.
func TestImportCommandWarnsOnOutcome(t *testing.T) {
	e := newToolEnv(t)
	csvPath := e.file("outcomes.csv", "Ticket,Title,Outcome\nINC0071001,Till in Leeds,pos\nINC0071002,Label printer,pso\n")
	out, _, err := e.run("import", "--workspace", e.ws, csvPath)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, want := range []string{
		"2 created, 0 updated, 0 unchanged, 0 rejected; 1 tagged; 1 with warnings",
		`line 3 INC0071002: warning: no outcome "pso"; did you mean "pos"?`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if r, err := e.st.GetRequest(context.Background(), e.ws, "INC0071002"); err != nil || r.Outcome != "" {
		t.Errorf("INC0071002 = %+v %v", r, err)
	}
}

// TestImportDryRunNeedsRedis: a dry run without the bot's Redis would check
// against an empty store (every outcome unknown, every row new), so it is
// refused unless asked for with --no-redis.
func TestImportDryRunNeedsRedis(t *testing.T) {
	e := newToolEnv(t)
	csvPath := e.file("sheet.csv", sheet)
	e.env = map[string]string{}
	out, _, err := e.run("import", "--workspace", e.ws, "--ref-column", "Vorgang", "--dry-run", csvPath)
	if err == nil || !strings.Contains(err.Error(), "set REDIS_URL") || strings.Contains(out, "created") {
		t.Fatalf("dry run without Redis: %v\n%s", err, out)
	}
	out, _, err = e.run("import", "--workspace", e.ws, "--ref-column", "Vorgang", "--dry-run", "--no-redis", csvPath)
	if err == nil || !strings.Contains(out, "3 rows checked for ") ||
		!strings.Contains(out, "2 created, 0 updated, 0 unchanged, 1 rejected; 0 tagged; 1 with warnings") {
		t.Errorf("dry run --no-redis: %v\n%s", err, out)
	}
}
