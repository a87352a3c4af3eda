// Package outcome is the /outcome subcommands that define outcomes and
// manage roles: add, list, show, set, archive, restore, grant, revoke,
// roles and whoami, and record each outcome's KPI values (kpi, confirm). It registers them with the root (commands.Core.Register).
package outcome

import (
	"context"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Store is what the outcome commands keep: outcomes and roles. The Redis
// store implements it.
type Store interface {
	CreateOutcome(ctx context.Context, ws string, o record.Outcome) error
	UpdateOutcome(ctx context.Context, ws string, o record.Outcome, actor string, at time.Time) error
	GetOutcome(ctx context.Context, ws, key string) (record.Outcome, error)
	ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error)
	Grant(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error)
	Revoke(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error)
	RoleMembers(ctx context.Context, ws string) (map[string][]string, error)
	ListEscalations(ctx context.Context, ws string, f record.EscalationFilter) ([]record.Escalation, error)
	RecordKPI(ctx context.Context, ws string, c record.CheckIn, v record.KPIValue) (record.CheckInResult, error)
	ConfirmOutcome(ctx context.Context, ws string, c record.CheckIn) (record.CheckInResult, error)
	ArchiveOwnOutcome(ctx context.Context, ws string, c record.CheckIn) (record.CheckInResult, error)
	OutcomeKPIs(ctx context.Context, ws string, outcomes []string, since time.Time) (map[string]record.OutcomeKPI, error)
}

// Outcomes handles the outcome and role commands. Build it with New.
type Outcomes struct {
	core  *commands.Core
	store Store
	cfg   commands.Config
}

// New builds the outcome commands on core and st and registers them as
// subcommands of /outcome.
func New(core *commands.Core, st Store) *Outcomes {
	c := &Outcomes{core: core, store: st, cfg: core.Config()}
	core.Register([]commands.Definition{{Name: "outcome", Subs: []commands.Definition{
		{Name: "add", Usage: usageOutcomeAdd, Summary: "define an outcome", Role: record.RoleAdmin, Doing: "define outcomes", Handler: commands.HandlerFunc(c.outcomeAdd),
			Example: `/outcome add pos-conversion "Omnichannel POS lifts in-store conversion" kpi="in-store conversion rate" it=@dev it-channel=#it-pos sla=4h`},
		{Name: "list", Usage: "/outcome list", Summary: "list outcomes", Handler: commands.HandlerFunc(c.outcomeList)},
		{Name: "show", Usage: "/outcome show <key>", Summary: "show one outcome", Handler: commands.HandlerFunc(c.outcomeShow)},
		{Name: "set", Usage: usageOutcomeSet, Summary: "change an outcome", Role: record.RoleAdmin, Doing: "change outcomes", Handler: commands.HandlerFunc(c.outcomeSet)},
		{Name: "archive", Usage: "/outcome archive <key>", Summary: "archive an outcome", Role: record.RoleAdmin, Doing: "archive outcomes", Handler: commands.HandlerFunc(c.outcomeArchive)},
		{Name: "restore", Usage: "/outcome restore <key>", Summary: "bring an archived outcome back", Role: record.RoleAdmin, Doing: "restore outcomes", Handler: commands.HandlerFunc(c.outcomeRestore)},
		{Name: "grant", Usage: "/outcome grant @user admin|it-lead", Summary: "give a role", Role: record.RoleAdmin, Doing: "grant roles", Handler: c.grantOrRevoke(true)},
		{Name: "revoke", Usage: "/outcome revoke @user admin|it-lead", Summary: "take a role away", Role: record.RoleAdmin, Doing: "revoke roles", Handler: c.grantOrRevoke(false)},
		{Name: "roles", Usage: "/outcome roles", Summary: "who holds which role", Handler: commands.HandlerFunc(c.listRoles)},
		{Name: "whoami", Usage: "/outcome whoami", Summary: "your user id, workspace and roles", Handler: commands.HandlerFunc(c.whoami)},
	}}})
	kpiSubs, kpiActions := c.kpiDefinitions()
	core.Register([]commands.Definition{{Name: "outcome", Subs: kpiSubs}}, kpiActions...)
	return c
}
