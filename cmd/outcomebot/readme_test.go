package main

import (
	"os"
	"strings"
	"testing"
)

// settingsTable is the document whose configuration table lists every
// setting, for operators.
const settingsTable = "../../manifests/deploy/README.md"

// TestReadmeListsEverySetting keeps the deploy README's configuration table
// in step with the settings the binary reads: every setting has a row with
// its flag and default, and no row names a setting that does not exist.
func TestReadmeListsEverySetting(t *testing.T) {
	b, err := os.ReadFile(settingsTable)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	known := map[string]bool{}
	for _, s := range settings {
		known[s.env] = true
		def := ""
		if s.def != "" {
			def = "`" + s.def + "`"
		}
		if !strings.Contains(readme, "| `"+s.env+"` | `-"+s.flag+"` | "+def+" |") {
			t.Errorf("%s: configuration table lacks %s (-%s) with default %q", settingsTable, s.env, s.flag, s.def)
		}
	}
	for _, line := range strings.Split(readme, "\n") {
		env, _, ok := strings.Cut(strings.TrimPrefix(line, "| `"), "` | `-")
		if !ok || !strings.HasPrefix(line, "| `") || strings.Contains(env, "`") {
			continue
		}
		if !known[env] {
			t.Errorf("%s: configuration table lists %s, which is not a setting", settingsTable, env)
		}
	}
}
