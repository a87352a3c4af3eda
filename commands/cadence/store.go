package cadence

import (
	"context"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// Store is what the cadence reads and writes: subscriptions, the digest's
// data and claims, and the ladder's steps. The Redis store implements it.
type Store interface {
	Workspaces(ctx context.Context) ([]string, error)
	ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error)
	ListEscalations(ctx context.Context, ws string, f record.EscalationFilter) ([]record.Escalation, error)
	ClaimReminder(ctx context.Context, ws string, n int64, step int, at time.Time) (record.Escalation, bool, error)
	AddRaisePost(ctx context.Context, ws string, n int64, channel, id string) error
	ReleaseReminder(ctx context.Context, ws string, n int64, step, retries int, at time.Time) (bool, error)

	ChangeSubscription(ctx context.Context, ws string, ch record.SubscriptionChange) (record.SubscriptionChanged, error)
	Unsubscribe(ctx context.Context, ws, channel, actor string, at time.Time) (bool, error)
	GetSubscription(ctx context.Context, ws, channel string) (record.Subscription, error)
	ListSubscriptions(ctx context.Context, ws string) ([]record.Subscription, error)

	DigestData(ctx context.Context, ws string, from, to time.Time) (record.DigestData, error)
	ClaimDigestAt(ctx context.Context, ws, channel, week, holder string, lease time.Duration, now time.Time) (record.DigestClaim, error)
	FailDigest(ctx context.Context, ws, channel, week, holder string, now time.Time, base, max time.Duration) (record.DigestFailure, error)
	ReleaseDigest(ctx context.Context, ws, channel, week, holder string) error
	RecordDigest(ctx context.Context, ws, channel string, p record.DigestPost) error
	DigestPosted(ctx context.Context, ws, channel, week string) (record.DigestPost, error)
	LastDigest(ctx context.Context, ws, channel string) (record.DigestPost, error)
	ClaimDigestNotice(ctx context.Context, ws, channel, week string) (bool, error)
	MarkDigestMissed(ctx context.Context, ws, channel, week string) (bool, error)

	// Each outcome's own number and the weekly check-in (checkin.go).
	OutcomeKPIs(ctx context.Context, ws string, outcomes []string, since time.Time) (map[string]record.OutcomeKPI, error)
	ClaimCheckIn(ctx context.Context, ws, week, owner, holder string, lease time.Duration, now time.Time) (record.CheckInClaim, error)
	FailCheckIn(ctx context.Context, ws, week, owner, holder string, retryAt time.Time) error
	MarkCheckInSent(ctx context.Context, ws, week, owner string) error
}
