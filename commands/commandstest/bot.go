package commandstest

import (
	"log/slog"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/commands/triage"
	"github.com/outcomebot/outcomebot/store"
)

// Bot is the whole core as cmd/outcomebot assembles it: the root with
// every leaf registered, on one store.
type Bot struct {
	Core    *commands.Core
	Cadence *cadence.Cadence
	Triage  *triage.Triage
	Intake  *intake.Intake
}

// NewBot assembles the core and its leaves on st, as serve does (log nil:
// slog.Default()).
func NewBot(st *store.Store, cfg commands.Config, clock commands.Clock, log *slog.Logger) Bot {
	core := commands.New(st, cfg, clock, log)
	return Bot{Core: core, Cadence: cadence.New(core, st, log), Triage: triage.New(core, st, log), Intake: intake.New(core, st)}
}
