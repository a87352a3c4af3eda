package escalation_test

import (
	"os"
	"testing"

	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// env is the whole core on a private Redis prefix with a fake clock.
type env = commandstest.Env[*store.Store]

func newEnv(t *testing.T) *env { return commandstest.NewEnv(t, storetest.New(t)) }
