package record

import (
	"strconv"
	"time"
)

// KPIValue is one value of an outcome's KPI, recorded by its business owner
// (or an admin): a number with an optional unit, written before it (a
// currency sign, "£") and after it ("%", "m", "ms").
type KPIValue struct {
	Value  float64   `json:"v"`
	Prefix string    `json:"p,omitempty"`
	Suffix string    `json:"s,omitempty"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Note   string    `json:"note,omitempty"`
}

// Text renders the value with its unit as it was written: "3.5%", "£1.2m".
func (v KPIValue) Text() string {
	return v.Prefix + strconv.FormatFloat(v.Value, 'f', -1, 64) + v.Suffix
}

// Unit is the value's unit, the same for every value of one outcome's KPI:
// "" for a plain number, else its prefix and suffix around "…" ("£…m", "…%").
func (v KPIValue) Unit() string {
	if v.Prefix == "" && v.Suffix == "" {
		return ""
	}
	return v.Prefix + "…" + v.Suffix
}

// OutcomeKPI is what the weekly check-in and the digest know of one
// outcome's own number and of whether it is still a priority.
type OutcomeKPI struct {
	// Values are the recorded values, oldest first (at most KPIHistoryMax,
	// none older than KPIHistoryAge).
	Values []KPIValue
	// ConfirmedAt is when its business owner (or an admin) last said the
	// outcome is still a priority; zero when never.
	ConfirmedAt time.Time
	ConfirmedBy string
}

// Latest returns the newest value; ok is false when there is none.
func (k OutcomeKPI) Latest() (KPIValue, bool) {
	if len(k.Values) == 0 {
		return KPIValue{}, false
	}
	return k.Values[len(k.Values)-1], true
}

// Bounds of a KPI's history: the store keeps at most KPIHistoryMax values
// per outcome and drops values older than KPIHistoryAge as it records new ones.
const (
	KPIHistoryMax = 120
	KPIHistoryAge = 2 * 366 * 24 * time.Hour
)

// Check-in verdicts: what CheckIn found and did.
const (
	// CheckInDone: the change was made (confirmed, archived, recorded).
	CheckInDone = "done"
	// CheckInAlready: an archive of an outcome already archived; nothing changed.
	CheckInAlready = "already"
	// CheckInArchived: the outcome is archived, so it takes no confirmation
	// or KPI value; nothing changed.
	CheckInArchived = "archived"
	// CheckInForbidden: the actor is neither the outcome's business owner nor
	// an admin; nothing changed.
	CheckInForbidden = "forbidden"
	// CheckInUnit: a KPI value whose unit differs from the earlier values';
	// nothing changed.
	CheckInUnit = "unit"
)

// CheckIn is one change by an outcome's business owner: a KPI value, a
// confirmation that it is still a priority, or its archiving.
type CheckIn struct {
	Outcome string
	Actor   string
	At      time.Time
	// Need, when set, are the roles of which Actor must hold one unless
	// Actor is the outcome's business owner; checked in the same atomic
	// step as the change. Empty: no check (a configured admin).
	Need []string
}

// CheckInResult is what a check-in change found.
type CheckInResult struct {
	// Verdict is one of the CheckIn* constants.
	Verdict string
	// Owner is the outcome's business owner ("" when it has none).
	Owner string
	// Last is the latest earlier KPI value (CheckInUnit: the one whose unit
	// differs).
	Last KPIValue
	// Count is the number of KPI values kept after a recorded one.
	Count int
}

// CheckInClaim is what ClaimCheckIn found.
type CheckInClaim int

// Check-in claim results.
const (
	// CheckInClaimed: the caller must send the check-in, then MarkCheckInSent.
	CheckInClaimed CheckInClaim = iota + 1
	// CheckInSent: this week's check-in went out.
	CheckInSent
	// CheckInHeld: another holder's lease runs, or a failed attempt's
	// retry time has not come.
	CheckInHeld
)
