package record

import (
	"errors"
	"time"
)

// ErrUntagged means a request has no outcome to route an escalation by.
var ErrUntagged = errors.New("request not tagged to an outcome")

// ErrNotOpen means the escalation was acknowledged or resolved meanwhile:
// its reminder ladder has stopped.
var ErrNotOpen = errors.New("escalation no longer open")

// ErrStillOpen means an escalation asked to be reopened was never resolved.
var ErrStillOpen = errors.New("escalation still open")

// ErrForbidden means the actor holds none of the roles a change needs;
// nothing changed.
var ErrForbidden = errors.New("actor lacks the role")

// Settlement is one acknowledgement or resolution of escalation N.
type Settlement struct {
	N       int64
	Resolve bool // resolve; otherwise acknowledge
	Actor   string
	Note    string
	At      time.Time
	// Roles, when set, are the roles of which Actor must hold one, unless
	// Actor is the IT owner of the escalation's outcome; the check is made
	// in the same atomic step as the change, so a revoke cannot slip
	// between them. Empty: no check (the caller has decided).
	Roles []string
}

// Matches reports whether e passes the filter.
func (f EscalationFilter) Matches(e Escalation) bool {
	if f.OpenOnly && e.State == StateResolved {
		return false
	}
	return f.RaisedBy == "" || e.RaisedBy == f.RaisedBy || e.RaisedByToo(f.RaisedBy)
}

// ClockFrom is when the acknowledgement clock started: when e was raised,
// or when it was last reopened.
func (e Escalation) ClockFrom() time.Time {
	if e.ReopenedAt.After(e.RaisedAt) {
		return e.ReopenedAt
	}
	return e.RaisedAt
}

// RaisedByToo reports whether user joined e: they raised it too while it
// was open (Also).
func (e Escalation) RaisedByToo(user string) bool {
	for _, a := range e.Also {
		if a.By == user {
			return true
		}
	}
	return false
}
