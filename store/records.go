// Code in this file only re-exports the records of package record, so the
// store's API keeps its names while the core (commands) can use the
// records without depending on Redis.

package store

import "github.com/outcomebot/outcomebot/store/record"

// Records the store reads and writes (see package record).
type (
	AuditEntry          = record.AuditEntry
	DigestPost          = record.DigestPost
	DigestClaim         = record.DigestClaim
	DigestFailure       = record.DigestFailure
	IntakeItem          = record.IntakeItem
	IntakeOptions       = record.IntakeOptions
	IntakeResult        = record.IntakeResult
	Outcome             = record.Outcome
	Request             = record.Request
	TagChange           = record.TagChange
	TagEvent            = record.TagEvent
	Escalation          = record.Escalation
	Subscription        = record.Subscription
	SubscriptionChange  = record.SubscriptionChange
	SubscriptionChanged = record.SubscriptionChanged
	EscalationFilter    = record.EscalationFilter
	Settlement          = record.Settlement
	DigestData          = record.DigestData
	TriageSettings      = record.TriageSettings
	TriageMessage       = record.TriageMessage
)

// Record constants.
const (
	DigestClaimed       = record.DigestClaimed
	DigestAlreadyPosted = record.DigestAlreadyPosted
	DigestHeld          = record.DigestHeld
	DigestBackingOff    = record.DigestBackingOff
	IntakeCreated       = record.IntakeCreated
	IntakeUpdated       = record.IntakeUpdated
	IntakeUnchanged     = record.IntakeUnchanged
	RoleAdmin           = record.RoleAdmin
	RoleITLead          = record.RoleITLead
	OutcomeActive       = record.OutcomeActive
	OutcomeArchived     = record.OutcomeArchived
	StateOpen           = record.StateOpen
	StateAcknowledged   = record.StateAcknowledged
	StateResolved       = record.StateResolved
	RequestOpen         = record.RequestOpen
	RequestClosed       = record.RequestClosed
)

// Errors the store returns; check them with errors.Is.
var (
	ErrUntagged    = record.ErrUntagged
	ErrForbidden   = record.ErrForbidden
	ErrNotOpen     = record.ErrNotOpen
	ErrDuplicate   = record.ErrDuplicate
	ErrNotFound    = record.ErrNotFound
	ErrExists      = record.ErrExists
	ErrResolved    = record.ErrResolved
	ErrArchived    = record.ErrArchived
	ErrUnavailable = record.ErrUnavailable
)
