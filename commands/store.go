package commands

import (
	"context"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// Store is what the root of the core keeps: outcomes, roles, requests'
// tags and escalations. The Redis store implements it. The core depends on
// this interface and the record types only, never on Redis; each leaf
// package (outcome, escalation, digest, cadence, triage, intake) declares its own
// narrow Store.
type Store interface {
	OutcomeStore
	RequestStore
	EscalationStore
}

// OutcomeStore reads outcomes and roles (defining and granting them is the
// outcome leaf's).
type OutcomeStore interface {
	GetOutcome(ctx context.Context, ws, key string) (record.Outcome, error)
	ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error)
	UserRoles(ctx context.Context, ws, user string) ([]string, error)
	RoleMembers(ctx context.Context, ws string) (map[string][]string, error)
}

// RequestStore keeps requests and their tags.
type RequestStore interface {
	Tag(ctx context.Context, ws, ref, outcome, actor, note string, at time.Time) (string, error)
	GetRequest(ctx context.Context, ws, ref string) (record.Request, error)
}

// EscalationStore reads escalations (for the home view) and records where
// their messages landed (Track); raising and settling them is the
// escalation leaf's.
type EscalationStore interface {
	ListEscalations(ctx context.Context, ws string, f record.EscalationFilter) ([]record.Escalation, error)
	SetEscalationMessage(ctx context.Context, ws string, n int64, kind, channel, id string) error
}
