package commandstest

import (
	"log/slog"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/escalation"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/commands/outcome"
	"github.com/outcomebot/outcomebot/commands/triage"
)

// Bot is the whole core as cmd/outcomebot assembles it: the root with
// every leaf registered, on one store.
type Bot struct {
	Core        *commands.Core
	Outcomes    *outcome.Outcomes
	Escalations *escalation.Escalations
	Cadence     *cadence.Cadence
	Triage      *triage.Triage
	Intake      *intake.Intake
}

// Store is everything the core and its leaves keep: the Redis store
// implements it. Tests pass the real one (store/storetest); this package
// itself never depends on Redis.
type Store interface {
	commands.Store
	outcome.Store
	escalation.Store
	cadence.Store
	triage.Store
	intake.Store
}

// NewBot assembles the core and its leaves on st, as serve does (log nil:
// slog.Default()).
func NewBot(st Store, cfg commands.Config, clock commands.Clock, log *slog.Logger) Bot {
	core := commands.New(st, cfg, clock, log)
	return Bot{Core: core, Outcomes: outcome.New(core, st), Escalations: escalation.New(core, st, log), Cadence: cadence.New(core, st, log), Triage: triage.New(core, st, log), Intake: intake.New(core, st)}
}
