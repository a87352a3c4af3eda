package store

// Stubs: the store API the core programs against. Each is replaced by its
// real implementation in its own file; delete a stub when implementing it.

import (
	"context"
	"errors"
	"time"
)

var errUnimplemented = errors.New("unimplemented")

// CreateOutcome stores a new outcome; ErrExists if the key is taken.
func (s *Store) CreateOutcome(ctx context.Context, ws string, o Outcome) error {
	return errUnimplemented
}

// UpdateOutcome overwrites an existing outcome's fields; ErrNotFound if absent.
func (s *Store) UpdateOutcome(ctx context.Context, ws string, o Outcome, actor string, at time.Time) error {
	return errUnimplemented
}

// GetOutcome reads one outcome; ErrNotFound if absent.
func (s *Store) GetOutcome(ctx context.Context, ws, key string) (Outcome, error) {
	return Outcome{}, errUnimplemented
}

// ListOutcomes returns every outcome of the workspace sorted by key.
func (s *Store) ListOutcomes(ctx context.Context, ws string) ([]Outcome, error) {
	return nil, errUnimplemented
}

// Tag sets (outcome "" clears) the request's outcome, creating the request
// if new, and returns the previous outcome. One atomic round trip.
func (s *Store) Tag(ctx context.Context, ws, ref, outcome, actor, note string, at time.Time) (string, error) {
	return "", errUnimplemented
}

// GetRequest reads a request with its tag history; ErrNotFound if unknown.
func (s *Store) GetRequest(ctx context.Context, ws, ref string) (Request, error) {
	return Request{}, errUnimplemented
}

// Escalate stores a new escalation, numbering it from the workspace counter.
func (s *Store) Escalate(ctx context.Context, ws string, e Escalation) (Escalation, error) {
	return Escalation{}, errUnimplemented
}

// Ack acknowledges an open escalation and reports whether this caller was first.
func (s *Store) Ack(ctx context.Context, ws string, n int64, actor, note string, at time.Time) (Escalation, bool, error) {
	return Escalation{}, false, errUnimplemented
}

// Resolve resolves an escalation and reports whether this caller was first.
func (s *Store) Resolve(ctx context.Context, ws string, n int64, actor, note string, at time.Time) (Escalation, bool, error) {
	return Escalation{}, false, errUnimplemented
}

// GetEscalation reads E-n; ErrNotFound if unknown.
func (s *Store) GetEscalation(ctx context.Context, ws string, n int64) (Escalation, error) {
	return Escalation{}, errUnimplemented
}

// ListEscalations returns escalations newest first.
func (s *Store) ListEscalations(ctx context.Context, ws string, f EscalationFilter) ([]Escalation, error) {
	return nil, errUnimplemented
}

// SetEscalationMessage records where the card (kind "card") or the
// announcement (kind "announce") of E-n was posted.
func (s *Store) SetEscalationMessage(ctx context.Context, ws string, n int64, kind, channel, id string) error {
	return errUnimplemented
}

// ClaimReminder atomically moves E-n's ladder to step if it is still open
// (not acknowledged or resolved) and below step; true means this caller
// must send that step.
func (s *Store) ClaimReminder(ctx context.Context, ws string, n int64, step int, at time.Time) (Escalation, bool, error) {
	return Escalation{}, false, errUnimplemented
}

// Grant gives user a role; false if they had it already.
func (s *Store) Grant(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error) {
	return false, errUnimplemented
}

// Revoke removes a role; false if they did not have it.
func (s *Store) Revoke(ctx context.Context, ws, user, role, actor string, at time.Time) (bool, error) {
	return false, errUnimplemented
}

// UserRoles lists the roles granted to user in the workspace.
func (s *Store) UserRoles(ctx context.Context, ws, user string) ([]string, error) {
	return nil, errUnimplemented
}

// RoleMembers maps each role to its granted users, sorted.
func (s *Store) RoleMembers(ctx context.Context, ws string) (map[string][]string, error) {
	return nil, errUnimplemented
}

// Subscribe subscribes (or re-subscribes) a channel to the digest; true if new.
func (s *Store) Subscribe(ctx context.Context, ws string, sub Subscription) (bool, error) {
	return false, errUnimplemented
}

// Unsubscribe removes a channel's subscription; false if it had none.
func (s *Store) Unsubscribe(ctx context.Context, ws, channel, actor string, at time.Time) (bool, error) {
	return false, errUnimplemented
}

// GetSubscription reads a channel's subscription; ErrNotFound if none.
func (s *Store) GetSubscription(ctx context.Context, ws, channel string) (Subscription, error) {
	return Subscription{}, errUnimplemented
}

// ListSubscriptions lists the workspace's subscribed channels.
func (s *Store) ListSubscriptions(ctx context.Context, ws string) ([]Subscription, error) {
	return nil, errUnimplemented
}

// Workspaces lists every workspace that has state.
func (s *Store) Workspaces(ctx context.Context) ([]string, error) {
	return nil, errUnimplemented
}

// DigestData reads the window [from, to) and the open items for the digest.
func (s *Store) DigestData(ctx context.Context, ws string, from, to time.Time) (DigestData, error) {
	return DigestData{}, errUnimplemented
}
