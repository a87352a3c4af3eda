package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// The Redis store is the core's store.
var _ commands.Store = (*store.Store)(nil)

// TestImportDirection holds the layout's one-way imports: the core knows no
// chat platform and no Redis client; the store knows neither the core nor
// the adapters.
func TestImportDirection(t *testing.T) {
	for pkg, banned := range map[string][]string{
		"github.com/outcomebot/outcomebot/commands/...": {"github.com/slack-go/", "github.com/infracloudio/msbotbuilder-go", "github.com/redis/go-redis", "github.com/outcomebot/outcomebot/bot"},
		"github.com/outcomebot/outcomebot/store/...":    {"github.com/outcomebot/outcomebot/commands", "github.com/outcomebot/outcomebot/bot", "github.com/slack-go/", "github.com/infracloudio/msbotbuilder-go"},
		"github.com/outcomebot/outcomebot/bot/slack":    {"github.com/outcomebot/outcomebot/bot/teams", "github.com/infracloudio/msbotbuilder-go"},
		"github.com/outcomebot/outcomebot/bot/teams":    {"github.com/outcomebot/outcomebot/bot/slack", "github.com/slack-go/"},
	} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range banned {
				if strings.HasPrefix(dep, b) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
