package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// requestFields are the request hash fields, in the order
// requestFromValues reads them from HMGET.
var requestFields = []string{
	"ref", "title", "outcome", "status", "source", "requester", "url", "first_seen", "updated", "opened",
}

// tagEntry is a history entry and a tag-index member as the tag script
// encodes them (times are decimal strings of unix ms).
type tagEntry struct {
	I    int64  `json:"i"`
	Ref  string `json:"ref"`
	From string `json:"from"`
	To   string `json:"to"`
	By   string `json:"by"`
	Note string `json:"note"`
	At   string `json:"at"`
}

// Tag sets (outcome "" clears) the request's outcome, creating the request
// if new (first seen at, source "chat", status open), and returns the
// previous outcome. An outcome that does not exist gives ErrNotFound, an
// archived one ErrArchived, and nothing changes. The request, both
// outcomes' sets, the history, the tag index, the new-request index and the
// audit stream change in one atomic round trip.
func (s *Store) Tag(ctx context.Context, ws, ref, outcome, actor, note string, at time.Time) (string, error) {
	op := fmt.Sprintf("tag %s to %q", ref, outcome)
	if err := checkWorkspace(ws); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if ref == "" {
		return "", fmt.Errorf("%s: empty reference", op)
	}
	v, err := s.run(ctx, ws, true, s.tagCall(ws, ref, outcome, actor, note, at))
	if err != nil {
		return "", wrap(op, err)
	}
	reply, _ := v.([]any)
	status, prev := "", ""
	if len(reply) > 0 {
		status, _ = reply[0].(string)
	}
	if len(reply) > 1 {
		prev, _ = reply[1].(string)
	}
	switch status {
	case "ok":
		return prev, nil
	case "nooutcome":
		return "", fmt.Errorf("%s: outcome %w", op, record.ErrNotFound)
	case "archived":
		return "", fmt.Errorf("%s: %w", op, record.ErrArchived)
	}
	return "", fmt.Errorf("%s: unexpected reply %v", op, v)
}

// tagCall builds the tag script invocation.
func (s *Store) tagCall(ws, ref, outcome, actor, note string, at time.Time) call {
	k := s.keys(ws)
	keys := []string{k.audit(), k.request(ref), k.history(ref), k.tagIndex(), k.newRequestIndex()}
	if outcome != "" {
		keys = append(keys, k.tagged(outcome), k.outcome(outcome))
	}
	return call{
		script: scriptTag,
		keys:   keys,
		args:   s.auditArgs(actor, msArg(at), ref, outcome, note, k.taggedPrefix()),
	}
}

// GetRequest reads a request with its tag history (oldest first) in one
// MULTI/EXEC round trip; ErrNotFound if unknown.
func (s *Store) GetRequest(ctx context.Context, ws, ref string) (record.Request, error) {
	op := "get request " + ref
	if err := checkWorkspace(ws); err != nil {
		return record.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	var fields *redis.MapStringStringCmd
	var hist *redis.StringSliceCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		fields = p.HGetAll(ctx, k.request(ref))
		hist = p.LRange(ctx, k.history(ref), 0, -1)
		return nil
	})
	if err == nil && len(fields.Val()) == 0 {
		err = record.ErrNotFound
	}
	if err != nil {
		return record.Request{}, wrap(op, err)
	}
	r := requestFromMap(fields.Val())
	r.History = decodeHistory(hist.Val())
	return r, nil
}

// requestFromMap decodes a request hash.
func requestFromMap(m map[string]string) record.Request {
	return record.Request{
		Ref:       m["ref"],
		Title:     m["title"],
		Outcome:   m["outcome"],
		Status:    m["status"],
		Source:    m["source"],
		Requester: m["requester"],
		URL:       m["url"],
		FirstSeen: fromMS(m["first_seen"]),
		Updated:   fromMS(m["updated"]),
		Opened:    fromMS(m["opened"]),
	}
}

// requestFromValues decodes an HMGET of requestFields.
func requestFromValues(vals []any) record.Request {
	f := func(i int) string {
		if i < len(vals) {
			v, _ := vals[i].(string)
			return v
		}
		return ""
	}
	return record.Request{
		Ref: f(0), Title: f(1), Outcome: f(2), Status: f(3), Source: f(4),
		Requester: f(5), URL: f(6), FirstSeen: fromMS(f(7)), Updated: fromMS(f(8)), Opened: fromMS(f(9)),
	}
}

// decodeHistory decodes history entries, skipping any that are not JSON.
func decodeHistory(raw []string) []record.TagChange {
	out := make([]record.TagChange, 0, len(raw))
	for _, r := range raw {
		var e tagEntry
		if json.Unmarshal([]byte(r), &e) != nil {
			continue
		}
		out = append(out, record.TagChange{From: e.From, To: e.To, By: e.By, Note: e.Note, At: fromMS(e.At)})
	}
	return out
}

// decodeTagEvents decodes tag-index members, skipping any that are not JSON.
func decodeTagEvents(raw []string) []record.TagEvent {
	out := make([]record.TagEvent, 0, len(raw))
	for _, r := range raw {
		var e tagEntry
		if json.Unmarshal([]byte(r), &e) != nil {
			continue
		}
		out = append(out, record.TagEvent{Ref: e.Ref, From: e.From, Outcome: e.To, By: e.By, At: fromMS(e.At), Seq: e.I})
	}
	return out
}
