package commands

import (
	"errors"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// Observer is told what the core did, for metrics. Its methods are called
// on the request's goroutine, so they must be quick and safe for concurrent
// use. The core never depends on what an Observer does.
type Observer interface {
	// CommandHandled is called once per request Handle ran. name is the
	// command ("tag", "escalate", …), "action:<name>" for a button, or
	// "unknown"; result is one of the Result constants; took is the wall
	// time Handle spent.
	CommandHandled(name, result string, took time.Duration)
	// EscalationChanged is called when a request raised, acknowledged or
	// resolved an escalation for the first time (event is one of the
	// Escalation constants). For an acknowledgement, waited is the time from
	// raise to acknowledgement; otherwise it is 0.
	EscalationChanged(event string, waited time.Duration)
}

// Results of a handled command, as reported to an Observer.
const (
	ResultOK          = "ok"          // the command did what was asked
	ResultUserError   = "user_error"  // refused with a message for the user (usage, role, unknown record)
	ResultUnavailable = "unavailable" // the store could not be reached: nothing recorded
	ResultError       = "error"       // anything else: a bug or an unexpected reply
)

// Escalation events, as reported to an Observer.
const (
	EscalationRaised       = "raised"
	EscalationAcknowledged = "acknowledged"
	EscalationResolved     = "resolved"
)

// SetObserver makes o see every request the core handles from now on. Call
// it before the core serves requests; nil turns observing off.
func (c *Core) SetObserver(o Observer) { c.obs = o }

// observeCommand reports one handled request.
func (c *Core) observeCommand(req Request, err error, took time.Duration) {
	if c.obs == nil {
		return
	}
	c.obs.CommandHandled(c.commandName(req), resultOf(err), took)
}

// ObserveEscalation reports a first raise, ack or resolve of e.
func (c *Core) ObserveEscalation(event string, e record.Escalation) {
	if c.obs == nil {
		return
	}
	var waited time.Duration
	if event == EscalationAcknowledged && !e.AckAt.IsZero() {
		waited = e.AckAt.Sub(e.RaisedAt)
	}
	c.obs.EscalationChanged(event, waited)
}

// commandName names req for metrics from a bounded set: a known command,
// "action:<name>" for a known button, else "unknown" (so typed garbage
// cannot grow the number of series).
func (c *Core) commandName(req Request) string {
	if req.Action != nil {
		if _, ok := c.router.action[req.Action.Name]; ok {
			return "action:" + req.Action.Name
		}
		return "unknown"
	}
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(req.Command), "/"))
	if _, ok := c.router.byName[name]; ok {
		return name
	}
	return "unknown"
}

// resultOf classifies a handler's error.
func resultOf(err error) string {
	switch {
	case err == nil:
		return ResultOK
	case errors.Is(err, record.ErrUnavailable):
		return ResultUnavailable
	}
	if _, ok := AsUserError(err); ok {
		return ResultUserError
	}
	return ResultError
}
