package record

import (
	"errors"
	"time"
)

// ErrDuplicate marks an import row whose reference an earlier row of the
// same run already brought in.
var ErrDuplicate = errors.New("duplicate reference")

// IntakeItem is one request as an ITSM or a spreadsheet describes it. Empty
// fields keep what is stored, so a partial update never blanks a field.
type IntakeItem struct {
	Ref       string // normalised reference; required
	Title     string
	Requester string
	URL       string
	// Status is RequestOpen, RequestClosed, or "" to keep it (open when new).
	Status string
	// Source names where the item came from ("jira", "servicenow", "api",
	// "csv"). A request keeps the source it was created from, except that
	// one first seen in chat takes the ITSM's.
	Source string
	// Opened is when the ticket was opened at its source; zero when unknown.
	Opened time.Time
	// Outcome, when set, tags the request to that outcome (as Tag does, with
	// history); Untag clears its outcome. Neither keeps the outcome.
	Outcome string
	Untag   bool
	// Actor, when set, is who the audit and the history name for this item
	// instead of IntakeOptions.Actor (a batch may mix sources).
	Actor string
	// Seen, when the batch has a run (IntakeOptions.Run), is recorded for the
	// reference: a later item of the run with the same reference is a
	// duplicate and reports the first one's Seen (e.g. its CSV line).
	Seen string
	// EscalationNote is the note an escalation of the ticket gets when this
	// item closes the ticket (resolving it) or reopens it (reopening it),
	// e.g. "closed in ServiceNow as Resolved".
	EscalationNote string
}

// IntakeOptions apply to a whole batch.
type IntakeOptions struct {
	// Actor is who the audit stream and the tag history name ("jira", "csv").
	Actor string
	// At is the time of the change.
	At time.Time
	// Note is the tag history note of a (re)tag.
	Note string
	// DryRun checks each item and reports what it would do, writing nothing
	// but the run's scratch hash of references.
	DryRun bool
	// Run, when set, names an import run whose items must not repeat a
	// reference: see IntakeItem.Seen and EndImportRun.
	Run string
	// ReopenWindow is how long after it was resolved an item that reopens
	// its ticket reopens the ticket's escalation; 0 reopens none.
	ReopenWindow time.Duration
}

// Intake verdicts.
const (
	IntakeCreated   = "created"
	IntakeUpdated   = "updated"
	IntakeUnchanged = "unchanged"
)

// IntakeResult is what one item did.
type IntakeResult struct {
	// Verdict is IntakeCreated, IntakeUpdated or IntakeUnchanged; "" when Err
	// is set.
	Verdict string
	// Prev and Outcome are the request's outcome before and after.
	Prev, Outcome string
	// Changed lists the fields the item changed ("title", "status", …; a
	// (re)tag is Prev != Outcome).
	Changed []string
	// Err, when set, says why nothing was written: ErrNotFound (no such
	// outcome), ErrArchived (outcome archived) or ErrDuplicate.
	Err error
	// FirstSeen is, for ErrDuplicate, the Seen value of the first item.
	FirstSeen string
	// Escalation is the ticket's escalation this item resolved (the ticket
	// was closed) or reopened (the ticket was reopened); 0 when none.
	// EscalationChange says which: EscalationResolved or EscalationReopened.
	Escalation       int64
	EscalationChange string
}

// What an intake item did to its ticket's escalation.
const (
	EscalationResolved = "resolved"
	EscalationReopened = "reopened"
)

// ITSMActor is how an escalation records that the ITSM named by source
// ("servicenow", "jira", "api", "csv") resolved or reopened it, in place
// of a user id (ResolvedBy, ReopenedBy): "itsm:servicenow".
func ITSMActor(source string) string { return itsmPrefix + source }

// ITSMSource returns the source of an ITSMActor, and whether by is one.
func ITSMSource(by string) (string, bool) {
	if len(by) < len(itsmPrefix) || by[:len(itsmPrefix)] != itsmPrefix {
		return "", false
	}
	return by[len(itsmPrefix):], true
}

const itsmPrefix = "itsm:"

// Tagged reports whether the item (re)tagged or untagged the request.
func (r IntakeResult) Tagged() bool { return r.Err == nil && r.Prev != r.Outcome }
