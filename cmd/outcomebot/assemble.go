package main

import (
	"log/slog"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/escalation"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/commands/outcome"
	"github.com/outcomebot/outcomebot/commands/triage"
	"github.com/outcomebot/outcomebot/store"
)

// parts is the core with its leaves, assembled on one store: the root
// (grammar, router, /tag) and the outcomes, escalations, cadence, triage
// and intake, which register their commands with the root.
type parts struct {
	core        *commands.Core
	outcomes    *outcome.Outcomes
	escalations *escalation.Escalations
	cadence     *cadence.Cadence
	triage      *triage.Triage
	intake      *intake.Intake
}

// assemble builds the core and its leaves on st. clock nil is the system
// clock; log nil is slog.Default().
func assemble(st *store.Store, cfg commands.Config, clock commands.Clock, log *slog.Logger) parts {
	core := commands.New(st, cfg, clock, log)
	return parts{core: core, outcomes: outcome.New(core, st), escalations: escalation.New(core, st, log), cadence: cadence.New(core, st, log), triage: triage.New(core, st, log), intake: intake.New(core, st)}
}
