package record

import (
	"errors"
)

// ErrUntagged means a request has no outcome to route an escalation by.
var ErrUntagged = errors.New("request not tagged to an outcome")

// Matches reports whether e passes the filter.
func (f EscalationFilter) Matches(e Escalation) bool {
	if f.OpenOnly && e.State == StateResolved {
		return false
	}
	return f.RaisedBy == "" || e.RaisedBy == f.RaisedBy
}
