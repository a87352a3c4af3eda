package store

import (
	"context"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// Seeder batches state changes into pipelines so benchmarks can build a
// year of history in seconds. It runs the same scripts as the real
// operations; escalations are numbered in the order they are added, from 1
// in a fresh workspace. Test-only.
type Seeder struct {
	s     *Store
	ws    string
	calls []call
}

// NewSeeder returns a Seeder for ws.
func NewSeeder(s *Store, ws string) *Seeder { return &Seeder{s: s, ws: ws} }

// Tag queues Store.Tag.
func (b *Seeder) Tag(ref, outcome, actor string, at time.Time) {
	b.calls = append(b.calls, b.s.tagCall(b.ws, ref, outcome, actor, "", at))
}

// Escalate queues Store.Escalate.
func (b *Seeder) Escalate(e record.Escalation) {
	b.calls = append(b.calls, b.s.escalateCall(b.ws, e))
}

// Ack queues Store.Ack.
func (b *Seeder) Ack(n int64, actor string, at time.Time) {
	k := b.s.keys(b.ws)
	b.calls = append(b.calls, call{scriptAck,
		[]string{k.audit(), k.escalation(n), k.ackedIndex()}, b.s.auditArgs(actor, msArg(at), "", n)})
}

// Resolve queues Store.Resolve.
func (b *Seeder) Resolve(n int64, actor string, at time.Time) {
	k := b.s.keys(b.ws)
	b.calls = append(b.calls, call{scriptResolve,
		[]string{k.audit(), k.escalation(n), k.resolvedIndex(), k.openIndex()},
		b.s.auditArgs(actor, msArg(at), "", n)})
}

// Flush loads the scripts and runs the queued calls in pipelines of 1000.
func (b *Seeder) Flush(ctx context.Context) error {
	for _, sc := range []call{{script: scriptTag}, {script: scriptEscalate}, {script: scriptAck}, {script: scriptResolve}} {
		if err := sc.script.Load(ctx, b.s.rdb).Err(); err != nil {
			return err
		}
	}
	if err := b.s.rdb.SAdd(ctx, b.s.workspacesKey(), b.ws).Err(); err != nil {
		return err
	}
	for len(b.calls) > 0 {
		n := min(len(b.calls), 1000)
		pipe := b.s.rdb.Pipeline()
		for _, c := range b.calls[:n] {
			c.script.EvalSha(ctx, pipe, c.keys, c.args...)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
		b.calls = b.calls[n:]
	}
	return nil
}

// EscalateRequestTwice sends the same EscalateRequest call twice, as
// go-redis does when it retries after a lost reply, and returns both
// escalation numbers. Test-only.
func EscalateRequestTwice(ctx context.Context, s *Store, ws string, e record.Escalation) (int64, int64, error) {
	ns, _, err := EscalateRequestTwiceStatus(ctx, s, ws, e)
	return ns[0], ns[1], err
}

// EscalateRequestTwiceStatus is EscalateRequestTwice that also returns
// each run's status ("ok", "joined", "already", …).
func EscalateRequestTwiceStatus(ctx context.Context, s *Store, ws string, e record.Escalation) ([2]int64, [2]string, error) {
	c := s.escalateRequestCall(ws, e, newOpID())
	var ns [2]int64
	var statuses [2]string
	for i := range ns {
		v, err := s.run(ctx, ws, true, c)
		if err != nil {
			return ns, statuses, err
		}
		arr, _ := v.([]any)
		if len(arr) > 1 {
			statuses[i], _ = arr[0].(string)
			ns[i], _ = arr[1].(int64)
		}
	}
	return ns, statuses, nil
}

// Escalate stores a new escalation as open, with no check of its request
// (test-only: the bot raises escalations with EscalateRequest), numbered from the workspace
// counter (INCR), indexes it as raised and open, and returns the stored
// record. Only the raise fields of e (Ref, Outcome, Reason, RaisedBy,
// RaisedIn, RaisedAt, and the message locations) are kept; N and State are
// assigned. One atomic round trip.
func (s *Store) Escalate(ctx context.Context, ws string, e record.Escalation) (record.Escalation, error) {
	if err := checkWorkspace(ws); err != nil {
		return record.Escalation{}, fmt.Errorf("escalate %s: %w", e.Ref, err)
	}
	v, err := s.run(ctx, ws, true, s.escalateCall(ws, e))
	if err != nil {
		return record.Escalation{}, wrap("escalate "+e.Ref, err)
	}
	n, ok := v.(int64)
	if !ok {
		return record.Escalation{}, fmt.Errorf("escalate %s: unexpected reply %T", e.Ref, v)
	}
	return record.Escalation{
		N: n, Ref: e.Ref, Outcome: e.Outcome, Reason: e.Reason,
		RaisedBy: e.RaisedBy, RaisedIn: e.RaisedIn, RaisedAt: fromMS(msArg(e.RaisedAt)),
		State:       record.StateOpen,
		CardChannel: e.CardChannel, CardID: e.CardID,
		AnnounceChannel: e.AnnounceChannel, AnnounceID: e.AnnounceID,
	}, nil
}
