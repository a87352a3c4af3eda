package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/escalation"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/commands/outcome"
	"github.com/outcomebot/outcomebot/commands/triage"
	"github.com/outcomebot/outcomebot/store"
)

// The Redis store is the store of the core and of each leaf.
var _ commands.Store = (*store.Store)(nil)

// leaves are the core's leaf packages: each imports the root, and the root
// imports none of them.
var leaves = []string{"outcome", "escalation", "digest", "cadence", "triage", "intake"}

// TestImportDirection holds the layout's one-way imports: the core knows no
// chat platform, no Redis client and not the Redis store (only its record
// types), and its root no leaf; the store knows neither the core nor the
// adapters. commandstest is held to the core's rules too: tests hand it the
// real store.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/outcomebot/outcomebot/"
	core := []string{mod + "commands", mod + "commands/commandstest"}
	for _, l := range leaves {
		core = append(core, mod+"commands/"+l)
	}
	rootBans := []string{}
	for _, l := range leaves {
		rootBans = append(rootBans, mod+"commands/"+l)
	}
	for _, pkg := range core {
		deps := goListDeps(t, pkg)
		for _, dep := range deps {
			for _, b := range []string{"github.com/slack-go/", "github.com/infracloudio/msbotbuilder-go", "github.com/redis/go-redis", mod + "bot", mod + "store/storetest"} {
				if strings.HasPrefix(dep, b) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
			if dep == mod+"store" {
				t.Errorf("%s depends on the Redis store %s", pkg, dep)
			}
			if pkg == mod+"commands" && slices.Contains(rootBans, dep) {
				t.Errorf("the root %s imports the leaf %s", pkg, dep)
			}
		}
	}
	for pkg, banned := range map[string][]string{
		"github.com/outcomebot/outcomebot/store/...": {"github.com/outcomebot/outcomebot/commands", "github.com/outcomebot/outcomebot/bot", "github.com/slack-go/", "github.com/infracloudio/msbotbuilder-go"},
		"github.com/outcomebot/outcomebot/bot/slack": {"github.com/outcomebot/outcomebot/bot/teams", "github.com/infracloudio/msbotbuilder-go"},
		"github.com/outcomebot/outcomebot/bot/teams": {"github.com/outcomebot/outcomebot/bot/slack", "github.com/slack-go/"},
	} {
		for _, dep := range goListDeps(t, pkg) {
			for _, b := range banned {
				if strings.HasPrefix(dep, b) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}

// goListDeps lists pkg's dependencies, itself included (go list -deps).
func goListDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// TestLeavesExist keeps the list of leaves in step with the tree: a new
// package under commands/ is either a leaf (and held to the leaves' rules)
// or the test fixtures.
func TestLeavesExist(t *testing.T) {
	out, err := exec.Command("go", "list", "github.com/outcomebot/outcomebot/commands/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		name := strings.TrimPrefix(pkg, "github.com/outcomebot/outcomebot/commands")
		name = strings.TrimPrefix(name, "/")
		if name != "" && name != "commandstest" && !slices.Contains(leaves, name) {
			t.Errorf("%s is neither a leaf nor commandstest: add it to leaves", pkg)
		}
	}
}

var (
	_ outcome.Store    = (*store.Store)(nil)
	_ escalation.Store = (*store.Store)(nil)
	_ cadence.Store    = (*store.Store)(nil)
	_ triage.Store     = (*store.Store)(nil)
	_ intake.Store     = (*store.Store)(nil)
)
