package triage

import (
	"context"
	"log/slog"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Store is what the triage reads and writes: untagged requests, the
// outcomes to pick from, and each week's triage messages and claims. The
// Redis store implements it.
type Store interface {
	Workspaces(ctx context.Context) ([]string, error)
	ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error)
	GetRequest(ctx context.Context, ws, ref string) (record.Request, error)
	GetRequests(ctx context.Context, ws string, refs []string) ([]record.Request, error)
	RequestsReceived(ctx context.Context, ws string, from, to time.Time) ([]record.Request, error)
	ClaimTriage(ctx context.Context, ws, channel, week, holder string, lease time.Duration) (bool, error)
	ReleaseTriage(ctx context.Context, ws, channel, week, holder string) error
	RecordTriage(ctx context.Context, ws, channel, week string, at time.Time) error
	SaveTriageMessage(ctx context.Context, ws string, m record.TriageMessage) (int64, error)
	GetTriageMessage(ctx context.Context, ws string, id int64) (record.TriageMessage, error)
	GetTriageSettings(ctx context.Context, ws string) (record.TriageSettings, error)
	SetTriageChannel(ctx context.Context, ws, channel, actor string, at time.Time) (string, error)
}

// Triage is the weekly triage of untagged work: the pass that posts it,
// the picks in its menus, and /outcome triage. Build it with New.
type Triage struct {
	core  *commands.Core
	store Store
	cfg   commands.Config
	log   *slog.Logger
}

// New builds the triage on core and st, and registers /outcome triage and
// the triage menu's action with core.
func New(core *commands.Core, st Store, log *slog.Logger) *Triage {
	if log == nil {
		log = slog.Default()
	}
	t := &Triage{core: core, store: st, cfg: core.Config(), log: log}
	core.Register([]commands.Definition{{Name: "outcome", Subs: []commands.Definition{
		{Name: "triage", Usage: usageTriage, Summary: "where the weekly triage of untagged requests goes (admin to change)",
			Role: record.RoleAdmin, RoleWhen: changesSetting, Doing: "choose where the weekly triage goes", Handler: commands.HandlerFunc(t.triageSettings)},
	}}}, commands.Definition{Name: commands.ActionTriage, Handler: commands.HandlerFunc(t.triagePick)})
	return t
}

// changesSetting reports whether /outcome triage's arguments change the
// setting (any argument) rather than show it (none).
func changesSetting(args commands.Args) bool { return len(args.Words) > 0 || len(args.Order) > 0 }
