package triage_test

import (
	"os"
	"testing"

	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// The whole core on a private Redis prefix with a fake clock, as in the
// root package's tests.
type env = commandstest.Env

var (
	newEnv = commandstest.NewEnv
	text   = commandstest.Text
	start  = commandstest.Start
)
