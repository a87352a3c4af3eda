package intake

import (
	"context"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Store is what intake reads and writes: requests as they come in from an
// ITSM or a spreadsheet, and what an export lists. The Redis store
// implements it.
type Store interface {
	ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error)
	Intake(ctx context.Context, ws string, items []record.IntakeItem, opts record.IntakeOptions) ([]record.IntakeResult, error)
	EndImportRun(ctx context.Context, ws, run string) error
	EachRequest(ctx context.Context, ws string, page int, fn func([]record.Request) error) error
	EscalationsByRef(ctx context.Context, ws string) (map[string][]record.Escalation, error)
}

// Intake brings requests in from ITSMs (the intake endpoint) and
// spreadsheets (CSV import and export). Build it with New.
type Intake struct {
	store    Store
	cfg      commands.Config
	clock    commands.Clock
	announce *announcer // nil: nobody is told (see Announce)
}

// New builds intake on core's configuration and clock and on st.
func New(core *commands.Core, st Store) *Intake {
	return &Intake{store: st, cfg: core.Config(), clock: core.Clock()}
}
