package commands

import (
	"context"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// Store is everything the core keeps: the Redis store (record.Store)
// implements it. The core depends on this interface and the record types
// only, never on Redis.
type Store interface {
	OutcomeStore
	RequestStore
	EscalationStore
	CadenceStore
}

// OutcomeStore keeps outcomes, roles and digest subscriptions.
type OutcomeStore interface {
	CreateOutcome(ctx context.Context, ws string, o record.Outcome) error
	UpdateOutcome(ctx context.Context, ws string, o record.Outcome, actor string, at time.Time) error
	GetOutcome(ctx context.Context, ws, key string) (record.Outcome, error)
	ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error)
	Grant(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error)
	Revoke(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error)
	UserRoles(ctx context.Context, ws, user string) ([]string, error)
	RoleMembers(ctx context.Context, ws string) (map[string][]string, error)
	ChangeSubscription(ctx context.Context, ws string, ch record.SubscriptionChange) (record.SubscriptionChanged, error)
	Unsubscribe(ctx context.Context, ws, channel, actor string, at time.Time) (bool, error)
	GetSubscription(ctx context.Context, ws, channel string) (record.Subscription, error)
	ListSubscriptions(ctx context.Context, ws string) ([]record.Subscription, error)
	Workspaces(ctx context.Context) ([]string, error)
}

// RequestStore keeps requests, their tags and what came in from ITSMs and spreadsheets.
type RequestStore interface {
	Tag(ctx context.Context, ws, ref, outcome, actor, note string, at time.Time) (string, error)
	GetRequest(ctx context.Context, ws, ref string) (record.Request, error)
	GetRequests(ctx context.Context, ws string, refs []string) ([]record.Request, error)
	RequestsReceived(ctx context.Context, ws string, from, to time.Time) ([]record.Request, error)
	EachRequest(ctx context.Context, ws string, page int, fn func([]record.Request) error) error
	Intake(ctx context.Context, ws string, items []record.IntakeItem, opts record.IntakeOptions) ([]record.IntakeResult, error)
	EndImportRun(ctx context.Context, ws, run string) error
}

// EscalationStore keeps escalations and their ladder.
type EscalationStore interface {
	EscalateRequest(ctx context.Context, ws string, e record.Escalation) (record.Escalation, record.Outcome, error)
	Settle(ctx context.Context, ws string, st record.Settlement) (record.Escalation, record.Outcome, bool, error)
	GetEscalation(ctx context.Context, ws string, n int64) (record.Escalation, error)
	ListEscalations(ctx context.Context, ws string, f record.EscalationFilter) ([]record.Escalation, error)
	EscalationsByRef(ctx context.Context, ws string) (map[string][]record.Escalation, error)
	SetEscalationMessage(ctx context.Context, ws string, n int64, kind, channel, id string) error
	ClaimReminder(ctx context.Context, ws string, n int64, step int, at time.Time) (record.Escalation, bool, error)
	ReleaseReminder(ctx context.Context, ws string, n int64, step, retries int, at time.Time) (bool, error)
}

// CadenceStore records the weekly digests and triage, so each is sent once.
type CadenceStore interface {
	ClaimDigestAt(ctx context.Context, ws, channel, week, holder string, lease time.Duration, now time.Time) (record.DigestClaim, error)
	FailDigest(ctx context.Context, ws, channel, week, holder string, now time.Time, base, max time.Duration) (record.DigestFailure, error)
	ReleaseDigest(ctx context.Context, ws, channel, week, holder string) error
	RecordDigest(ctx context.Context, ws, channel string, p record.DigestPost) error
	DigestData(ctx context.Context, ws string, from, to time.Time) (record.DigestData, error)
	DigestPosted(ctx context.Context, ws, channel, week string) (record.DigestPost, error)
	LastDigest(ctx context.Context, ws, channel string) (record.DigestPost, error)
	ClaimDigestNotice(ctx context.Context, ws, channel, week string) (bool, error)
	MarkDigestMissed(ctx context.Context, ws, channel, week string) (bool, error)
	ClaimTriage(ctx context.Context, ws, channel, week, holder string, lease time.Duration) (bool, error)
	ReleaseTriage(ctx context.Context, ws, channel, week, holder string) error
	RecordTriage(ctx context.Context, ws, channel, week string, at time.Time) error
	SaveTriageMessage(ctx context.Context, ws string, m record.TriageMessage) (int64, error)
	GetTriageMessage(ctx context.Context, ws string, id int64) (record.TriageMessage, error)
	GetTriageSettings(ctx context.Context, ws string) (record.TriageSettings, error)
	SetTriageChannel(ctx context.Context, ws, channel, actor string, at time.Time) (string, error)
}
