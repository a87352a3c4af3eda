// Package record holds the records outcomebot keeps (outcomes, requests,
// escalations, subscriptions, digest and triage posts, intake items) and the
// store's errors and constants, with no dependency on Redis, so the core
// (commands) can use them without knowing how they are stored.
package record

import (
	"errors"
	"time"
)

// Errors returned by store operations. Callers check them with errors.Is.
var (
	ErrNotFound    = errors.New("not found")
	ErrExists      = errors.New("already exists")
	ErrResolved    = errors.New("escalation already resolved")
	ErrArchived    = errors.New("outcome archived")
	ErrUnavailable = errors.New("store unavailable")
)

// Roles a user can hold in a workspace. Everyone else is a member.
const (
	RoleAdmin  = "admin"
	RoleITLead = "it-lead"
)

// Outcome states.
const (
	OutcomeActive   = "active"
	OutcomeArchived = "archived"
)

// Escalation states.
const (
	StateOpen         = "open"
	StateAcknowledged = "acknowledged"
	StateResolved     = "resolved"
)

// Request states.
const (
	RequestOpen   = "open"
	RequestClosed = "closed"
)

// Outcome is a named business outcome IT work is tagged to.
type Outcome struct {
	Key       string
	Title     string
	KPI       string
	Owner     string        // business owner user id
	ITOwner   string        // IT owner user id
	ITChannel string        // channel id where escalation cards go
	SLA       time.Duration // 0: the default
	Hours     string        // business hours the SLA counts in; "": the default, "24x7": round the clock
	Status    string        // OutcomeActive or OutcomeArchived
	CreatedBy string
	CreatedAt time.Time
}

// Request is a unit of IT work named by a normalised ticket reference.
type Request struct {
	Ref       string
	Title     string
	Outcome   string // "" when tagged to nothing
	Status    string // RequestOpen or RequestClosed
	Source    string // "chat", "jira", "servicenow", "csv", …
	Requester string
	URL       string
	FirstSeen time.Time
	Updated   time.Time
	// Opened is when the ticket was opened in its own system (an ITSM's
	// opened date, a spreadsheet's date column); zero when unknown.
	Opened  time.Time
	History []TagChange // oldest first; filled by GetRequest
}

// Received is when the request entered IT: its Opened date when the source
// said, else when the bot first saw it. The new-request index (and so the
// digest's drift and the weekly triage) counts requests by this time.
func (r Request) Received() time.Time {
	if !r.Opened.IsZero() {
		return r.Opened
	}
	return r.FirstSeen
}

// TagChange is one (re)tag of a request.
type TagChange struct {
	From string
	To   string
	By   string
	Note string
	At   time.Time
}

// TagEvent is a tag change as indexed by time, for the digest.
type TagEvent struct {
	Ref     string
	From    string // the outcome it was tagged to before ("" when none)
	Outcome string // the outcome tagged to ("" for an untag)
	By      string
	At      time.Time
	// Seq is the change's place in the request's history (1 the first):
	// it orders two changes of one request made in the same millisecond.
	Seq int64
}

// Escalation is blocked work raised to IT, numbered E-<N> per workspace.
type Escalation struct {
	N           int64
	Ref         string
	Outcome     string
	Reason      string
	RaisedBy    string
	RaisedIn    string // channel
	RaisedAt    time.Time
	State       string
	AckBy       string
	AckAt       time.Time
	AckNote     string
	ResolvedBy  string
	ResolvedAt  time.Time
	ResolveNote string
	// Reminders is the highest ladder step sent (0 none, 1 reminded, 2 raised).
	Reminders int
	// RemindedAt is when the highest ladder step was claimed.
	RemindedAt time.Time
	// CardChannel/CardID locate the card in the IT channel; AnnounceChannel/
	// AnnounceID the announcement where it was raised.
	CardChannel     string
	CardID          string
	AnnounceChannel string
	AnnounceID      string
	// Withdrawn marks a resolve by its raiser withdrawing it (the reason is
	// ResolveNote).
	Withdrawn bool
	// ReopenedBy reopened it at ReopenedAt (Reopens times in all); the
	// ladder counts from ReopenedAt then (see ClockFrom).
	ReopenedBy string
	ReopenedAt time.Time
	ReopenNote string
	Reopens    int
	// SnoozedUntil pauses the ladder until then (set by SnoozedBy); the
	// escalation still shows everywhere, the digest included.
	SnoozedUntil time.Time
	SnoozedBy    string
	// Assignee is who the escalation was given to (/escalate assign), by
	// AssignedBy at AssignedAt; "" means the outcome's IT owner.
	Assignee   string
	AssignedBy string
	AssignedAt time.Time
	// Note is the latest note added with /escalate note, by NoteBy at NoteAt.
	Note   string
	NoteBy string
	NoteAt time.Time
	// RaisePosts are where the ladder raised it to leadership, kept current
	// as it moves.
	RaisePosts []Post
	// MessageLink and MessageBy are the chat message it was raised from
	// ("Escalate this message"): its permalink and its author's id.
	MessageLink string
	MessageBy   string
	// Link is a link given instead of a ticket: an ITSM address that names
	// no number (a ServiceNow sys_id URL), kept to show on the card.
	Link string
	// Also are the others who raised the same problem while it was open,
	// in order: they joined this escalation instead of raising a new one
	// (at most MaxAlsoRaised are kept).
	Also []Raiser
}

// Raise is what escalating a request did.
type Raise int

const (
	// Raised a new escalation.
	Raised Raise = iota
	// Joined the request's open escalation (added to its Also).
	Joined
	// AlreadyWaiting means the caller had raised or joined the open
	// escalation before; nothing changed.
	AlreadyWaiting
)

// Post is where one of the bot's messages landed.
type Post struct {
	Channel string `json:"channel"`
	ID      string `json:"id"`
}

// Raiser is someone who also raised an open escalation's problem.
type Raiser struct {
	By     string    `json:"by"`
	In     string    `json:"where"` // the channel they raised it from
	At     time.Time `json:"-"`
	AtMS   int64     `json:"at"`
	Reason string    `json:"reason"`
}

// MaxAlsoRaised bounds Escalation.Also: later raisers still join, unnamed.
const MaxAlsoRaised = 50

// Subscription is a leadership channel subscribed to the weekly digest.
type Subscription struct {
	Channel  string
	Outcomes []string // empty: all
	TZ       string   // IANA zone name
	By       string
	At       time.Time
}

// SubscriptionChange subscribes a channel to the digest or changes its
// subscription: on a subscribed channel only what it names changes, and the
// subscriber and the time subscribed (Subscription.By, At) stay.
type SubscriptionChange struct {
	Channel string
	// TZ is the zone to set; "" keeps the channel's zone, and gives a new
	// subscription DefaultTZ.
	TZ        string
	DefaultTZ string
	// SetOutcomes replaces the followed outcomes with Outcomes (empty: all);
	// unset keeps them (all, for a new subscription).
	SetOutcomes bool
	Outcomes    []string
	// By and At are who changes it and when (and so who subscribed it and
	// since when, if the channel was not subscribed).
	By string
	At time.Time
}

// SubscriptionChanged is what a SubscriptionChange did.
type SubscriptionChanged struct {
	Before  Subscription // zero when Created
	After   Subscription
	Created bool // the channel was not subscribed
	Changed bool // false: the subscription already was as asked; nothing was written
}

// EscalationFilter selects escalations for ListEscalations.
type EscalationFilter struct {
	OpenOnly bool   // open or acknowledged, not resolved
	RaisedBy string // "" for anyone; else who raised it or joined it (Also)
	Limit    int    // 0: a default of 50
}

// DigestData is what the digest builder needs for one workspace and one
// window [From, To): the window's activity and the open items. It is read
// from time indexes, never from the whole history.
type DigestData struct {
	From, To    time.Time
	Outcomes    []Outcome
	OpenTagged  map[string]int // outcome key → open requests tagged to it now
	Tags        []TagEvent     // tag changes in the window
	NewRequests []Request      // requests received in the window (Request.Received), with their current outcome
	Escalations []Escalation   // raised, acknowledged or resolved in the window, or open now
}

// Sources of requests brought in from outside chat.
const (
	SourceAPI        = "api"
	SourceJira       = "jira"
	SourceServiceNow = "servicenow"
	SourceCSV        = "csv"
)
