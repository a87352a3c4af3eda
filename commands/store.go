package commands

import (
	"context"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// Store is what the root of the core keeps: outcomes, roles, requests'
// tags and escalations. The Redis store implements it. The core depends on
// this interface and the record types only, never on Redis; each leaf
// package (digest, cadence, triage, intake) declares its own narrow Store.
type Store interface {
	OutcomeStore
	RequestStore
	EscalationStore
}

// OutcomeStore keeps outcomes and roles.
type OutcomeStore interface {
	CreateOutcome(ctx context.Context, ws string, o record.Outcome) error
	UpdateOutcome(ctx context.Context, ws string, o record.Outcome, actor string, at time.Time) error
	GetOutcome(ctx context.Context, ws, key string) (record.Outcome, error)
	ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error)
	Grant(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error)
	Revoke(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error)
	UserRoles(ctx context.Context, ws, user string) ([]string, error)
	RoleMembers(ctx context.Context, ws string) (map[string][]string, error)
}

// RequestStore keeps requests and their tags.
type RequestStore interface {
	Tag(ctx context.Context, ws, ref, outcome, actor, note string, at time.Time) (string, error)
	GetRequest(ctx context.Context, ws, ref string) (record.Request, error)
}

// EscalationStore keeps escalations.
type EscalationStore interface {
	EscalateRequest(ctx context.Context, ws string, e record.Escalation) (record.Escalation, record.Outcome, error)
	Settle(ctx context.Context, ws string, st record.Settlement) (record.Escalation, record.Outcome, bool, error)
	ListEscalations(ctx context.Context, ws string, f record.EscalationFilter) ([]record.Escalation, error)
	SetEscalationMessage(ctx context.Context, ws string, n int64, kind, channel, id string) error
}
