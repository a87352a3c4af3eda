package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeListsEverySetting keeps the README's configuration table in
// step with the settings the binary reads.
func TestReadmeListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range settings {
		if !strings.Contains(readme, "| `"+s.env+"` | `-"+s.flag+"` |") {
			t.Errorf("README's configuration table lacks %s (-%s)", s.env, s.flag)
		}
	}
}
