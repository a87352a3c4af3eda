package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

var scriptEscalateRequest = loadScript("escalate_request.lua")

// EscalateRequest raises an escalation on request e.Ref, routed by the
// request's current outcome, and returns the stored escalation and that
// outcome, in one atomic round trip. When the request already has an open
// (or acknowledged) escalation, nothing new is raised: the caller joins it
// (e.RaisedBy, e.RaisedIn, e.RaisedAt and e.Reason are added to its Also,
// once per person) and the result is that escalation with Joined, or
// AlreadyWaiting when the caller had raised or joined it before. A new
// escalation goes to e.Outcome when set, else to the request's outcome;
// with no e.Ref it stands alone (no ticket yet: nothing to join) and needs
// e.Outcome.
// Many concurrent calls for one request raise exactly one escalation. An
// unknown or untagged request gives ErrUntagged; an outcome that vanished
// ErrNotFound; an archived one ErrArchived; in each case nothing changes.
func (s *Store) EscalateRequest(ctx context.Context, ws string, e record.Escalation) (record.Escalation, record.Outcome, record.Raise, error) {
	op := "escalate " + e.Ref
	if err := checkWorkspace(ws); err != nil {
		return record.Escalation{}, record.Outcome{}, record.Raised, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.run(ctx, ws, true, s.escalateRequestCall(ws, e, newOpID()))
	if err != nil {
		return record.Escalation{}, record.Outcome{}, record.Raised, wrap(op, err)
	}
	arr, _ := v.([]any)
	status := ""
	if len(arr) > 0 {
		status, _ = arr[0].(string)
	}
	switch {
	case status == "untagged":
		return record.Escalation{}, record.Outcome{}, record.Raised, fmt.Errorf("%s: %w", op, record.ErrUntagged)
	case status == "nooutcome" && len(arr) > 1:
		return record.Escalation{}, record.Outcome{}, record.Raised, fmt.Errorf("%s: outcome %v: %w", op, arr[1], record.ErrNotFound)
	case status == "archived" && len(arr) > 1:
		o, _ := arr[1].(string)
		return record.Escalation{}, record.Outcome{Key: o, Status: record.OutcomeArchived}, record.Raised, fmt.Errorf("%s: %w", op, record.ErrArchived)
	case (status == "joined" || status == "already") && len(arr) > 3:
		raise := record.Joined
		if status == "already" {
			raise = record.AlreadyWaiting
		}
		return escalationFromMap(pairs(arr[3])), outcomeFromMap(pairs(arr[2])), raise, nil
	case status != "ok" || len(arr) < 3:
		return record.Escalation{}, record.Outcome{}, record.Raised, fmt.Errorf("%s: unexpected reply %v", op, v)
	}
	n, _ := arr[1].(int64)
	o := outcomeFromMap(pairs(arr[2]))
	e.Outcome = o.Key
	stored := record.Escalation{
		N: n, Ref: e.Ref, Outcome: o.Key, Reason: e.Reason,
		RaisedBy: e.RaisedBy, RaisedIn: e.RaisedIn, RaisedAt: fromMS(msArg(e.RaisedAt)), State: record.StateOpen,
		CardChannel: e.CardChannel, CardID: e.CardID, AnnounceChannel: e.AnnounceChannel, AnnounceID: e.AnnounceID,
		MessageLink: e.MessageLink, MessageBy: e.MessageBy, Link: e.Link,
	}
	return stored, o, record.Raised, nil
}

// escalateRequestCall builds the script call. opID names this one call: if
// the client sends it again (go-redis retries a pipeline after a network
// error even when Redis already ran it), the script answers with the
// escalation the first run raised instead of raising a second one.
func (s *Store) escalateRequestCall(ws string, e record.Escalation, opID string) call {
	k := s.keys(ws)
	c := s.escalateCall(ws, e)
	c.script = scriptEscalateRequest
	c.keys = append(c.keys, k.request(e.Ref), k.op(opID), k.escalationByRef())
	// Swap the fixed outcome pair for the outcome hash prefix: the script
	// reads the outcome from the request.
	c.args = append(append(c.args[:5:5], k.outcome(""), record.MaxAlsoRaised, e.Outcome), withoutField(c.args[5:], "outcome")...)
	return c
}

// newOpID returns a random id for one state-changing call.
func newOpID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// withoutField drops one field, value pair from a flat pair list.
func withoutField(pairs []any, field string) []any {
	out := make([]any, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] != field {
			out = append(out, pairs[i], pairs[i+1])
		}
	}
	return out
}

var scriptAttachTicket = loadScript("attach_ticket.lua")

// AttachTicket gives escalation n, raised without a ticket, the ticket
// ref, as actor at at, in one atomic round trip; an open escalation
// becomes the request's own, so escalating ref later joins it. Unknown
// → ErrNotFound; one that has a ticket already → ErrExists (the record
// holds it); a request with another open escalation → ErrDuplicate. In
// those cases nothing changes.
func (s *Store) AttachTicket(ctx context.Context, ws string, n int64, ref, actor string, at time.Time) (record.Escalation, error) {
	op := fmt.Sprintf("attach %s to E-%d", ref, n)
	if err := checkWorkspace(ws); err != nil {
		return record.Escalation{}, fmt.Errorf("%s: %w", op, err)
	}
	if ref == "" {
		return record.Escalation{}, fmt.Errorf("%s: empty ticket", op)
	}
	k := s.keys(ws)
	v, err := s.run(ctx, ws, true, call{script: scriptAttachTicket,
		keys: []string{k.audit(), k.escalation(n), k.escalationByRef()},
		args: s.auditArgs(actor, msArg(at), n, ref, k.escalationPrefix())})
	if err != nil {
		return record.Escalation{}, wrap(op, err)
	}
	arr, _ := v.([]any)
	status := ""
	if len(arr) > 0 {
		status, _ = arr[0].(string)
	}
	switch {
	case status == "notfound":
		return record.Escalation{}, fmt.Errorf("%s: %w", op, record.ErrNotFound)
	case status == "hasticket" && len(arr) > 1:
		had, _ := arr[1].(string)
		return record.Escalation{N: n, Ref: had}, fmt.Errorf("%s: %w", op, record.ErrExists)
	case status == "other" && len(arr) > 1:
		other, _ := arr[1].(int64)
		return record.Escalation{N: other}, fmt.Errorf("%s: %w", op, record.ErrDuplicate)
	case status != "ok" || len(arr) < 2:
		return record.Escalation{}, fmt.Errorf("%s: unexpected reply %v", op, v)
	}
	return escalationFromMap(pairs(arr[1])), nil
}
