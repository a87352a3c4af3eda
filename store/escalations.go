package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// systemActor is the audit actor of changes the bot makes by itself.
const systemActor = "outcomebot"

// defaultListLimit is ListEscalations' limit when the filter sets none.
const defaultListLimit = 50

// escalateCall builds the escalate script invocation.
func (s *Store) escalateCall(ws string, e record.Escalation) call {
	k := s.keys(ws)
	at := msArg(e.RaisedAt)
	return call{
		script: scriptEscalate,
		keys: []string{k.audit(), k.escalationSeq(), k.raisedIndex(), k.openIndex(),
			k.raisedByIndex(e.RaisedBy)},
		args: s.auditArgs(e.RaisedBy, at, k.escalationPrefix(), e.Ref,
			"ref", e.Ref, "outcome", e.Outcome, "reason", e.Reason,
			"raised_by", e.RaisedBy, "raised_in", e.RaisedIn, "raised_at", at,
			"reminders", 0, "card_channel", e.CardChannel, "card_id", e.CardID,
			"announce_channel", e.AnnounceChannel, "announce_id", e.AnnounceID,
			"message_link", e.MessageLink, "message_by", e.MessageBy, "link", e.Link),
	}
}

// Settle acknowledges (or, with st.Resolve, resolves) an escalation and
// reports whether this caller was first, in one atomic round trip.
// Unknown → ErrNotFound; acknowledging a resolved one → the record and
// ErrResolved; already in the asked state → the record and false, with
// nothing changed. The same script checks the actor holds one of st.Roles
// (when set; otherwise ErrForbidden, checked before anything else, and
// nothing changes) and reads the escalation's outcome, which is returned
// too (zero if it is gone). The one call an /ack, /resolve or button press
// needs.
func (s *Store) Settle(ctx context.Context, ws string, st record.Settlement) (record.Escalation, record.Outcome, bool, error) {
	op := fmt.Sprintf("ack E-%d", st.N)
	if st.Resolve {
		op = fmt.Sprintf("resolve E-%d", st.N)
	}
	if err := checkWorkspace(ws); err != nil {
		return record.Escalation{}, record.Outcome{}, false, fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	c := call{script: scriptAck, keys: []string{k.audit(), k.escalation(st.N), k.ackedIndex()}}
	if st.Resolve {
		c = call{script: scriptResolve, keys: []string{k.audit(), k.escalation(st.N), k.resolvedIndex(), k.openIndex()}}
	}
	c.keys = append(c.keys, k.userRoles(st.Actor))
	c.args = s.auditArgs(st.Actor, msArg(st.At), st.Note, st.N, strings.Join(st.Roles, " "), k.outcome(""))
	v, err := s.run(ctx, ws, false, c)
	if err != nil {
		return record.Escalation{}, record.Outcome{}, false, wrap(op, err)
	}
	status, rec, err := scriptReply(v)
	if err != nil {
		return record.Escalation{}, record.Outcome{}, false, fmt.Errorf("%s: %w", op, err)
	}
	var o record.Outcome
	if arr, _ := v.([]any); len(arr) > 2 {
		if m := pairs(arr[2]); len(m) > 0 {
			o = outcomeFromMap(m)
		}
	}
	switch status {
	case "forbidden":
		return record.Escalation{}, record.Outcome{}, false, fmt.Errorf("%s: %w", op, record.ErrForbidden)
	case "notfound":
		return record.Escalation{}, record.Outcome{}, false, fmt.Errorf("%s: %w", op, record.ErrNotFound)
	case "resolved":
		return escalationFromMap(rec), o, false, fmt.Errorf("%s: %w", op, record.ErrResolved)
	case "first":
		return escalationFromMap(rec), o, true, nil
	case "again":
		return escalationFromMap(rec), o, false, nil
	}
	return record.Escalation{}, record.Outcome{}, false, fmt.Errorf("%s: unexpected status %q", op, status)
}

// ClaimReminder atomically moves E-n's ladder to step if it is still open
// (not acknowledged or resolved) and below step, recording the step and the
// time and auditing it; true means this caller must send that step.
// Otherwise it returns the record and false; unknown → ErrNotFound.
func (s *Store) ClaimReminder(ctx context.Context, ws string, n int64, step int, at time.Time) (record.Escalation, bool, error) {
	op := fmt.Sprintf("claim reminder %d of E-%d", step, n)
	if err := checkWorkspace(ws); err != nil {
		return record.Escalation{}, false, fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	return s.transition(ctx, op, ws, call{
		script: scriptRemind,
		keys:   []string{k.audit(), k.escalation(n)},
		args:   s.auditArgs(systemActor, msArg(at), step, n),
	})
}

// ReleaseReminder gives back ladder step `step` of E-n, claimed with
// ClaimReminder, after its post failed everywhere: the step is no longer
// recorded, so a later pass claims and sends it again. It does so at most
// retries times per escalation; after that the step stays claimed (given
// up) and false is returned, as it is when its ladder has moved on; when
// E-n is no longer open the ladder has stopped and the error is
// ErrNotOpen. Safe to send again: a resent release of the same step at the
// same time reports it released. Unknown → ErrNotFound.
func (s *Store) ReleaseReminder(ctx context.Context, ws string, n int64, step, retries int, at time.Time) (bool, error) {
	op := fmt.Sprintf("release reminder %d of E-%d", step, n)
	if err := checkWorkspace(ws); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	args := append(s.auditArgs(systemActor, msArg(at), step, n), retries)
	e, released, err := s.transition(ctx, op, ws, call{
		script: scriptRemind, // with ARGV[6] set: release
		keys:   []string{k.audit(), k.escalation(n)},
		args:   args,
	})
	if err == nil && !released && e.State != "" && e.State != record.StateOpen {
		return false, fmt.Errorf("%s: %w", op, record.ErrNotOpen)
	}
	return released, err
}

// transition runs an escalation state script and maps its status: "first"
// and "claimed" mean this caller changed it.
func (s *Store) transition(ctx context.Context, op, ws string, c call) (record.Escalation, bool, error) {
	v, err := s.run(ctx, ws, false, c)
	if err != nil {
		return record.Escalation{}, false, wrap(op, err)
	}
	status, rec, err := scriptReply(v)
	if err != nil {
		return record.Escalation{}, false, fmt.Errorf("%s: %w", op, err)
	}
	switch status {
	case "notfound":
		return record.Escalation{}, false, fmt.Errorf("%s: %w", op, record.ErrNotFound)
	case "resolved":
		return escalationFromMap(rec), false, fmt.Errorf("%s: %w", op, record.ErrResolved)
	case "first", "claimed":
		return escalationFromMap(rec), true, nil
	default:
		return escalationFromMap(rec), false, nil
	}
}

// SetEscalationMessage records where the card (kind "card") or the
// announcement (kind "announce") of E-n was posted; ErrNotFound if E-n is
// unknown. It is bookkeeping of the bot's own messages and is not audited.
func (s *Store) SetEscalationMessage(ctx context.Context, ws string, n int64, kind, channel, id string) error {
	op := fmt.Sprintf("set %s message of E-%d", kind, n)
	if err := checkWorkspace(ws); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if kind != "card" && kind != "announce" {
		return fmt.Errorf("%s: unknown kind", op)
	}
	v, err := s.run(ctx, ws, false, call{
		script: scriptSetMessage,
		keys:   []string{s.keys(ws).escalation(n)},
		args:   []any{kind + "_channel", channel, kind + "_id", id},
	})
	if err == nil && v != int64(1) {
		err = record.ErrNotFound
	}
	return wrap(op, err)
}

// GetEscalation reads E-n; ErrNotFound if unknown.
func (s *Store) GetEscalation(ctx context.Context, ws string, n int64) (record.Escalation, error) {
	op := fmt.Sprintf("get E-%d", n)
	if err := checkWorkspace(ws); err != nil {
		return record.Escalation{}, fmt.Errorf("%s: %w", op, err)
	}
	m, err := s.rdb.HGetAll(ctx, s.keys(ws).escalation(n)).Result()
	if err == nil && len(m) == 0 {
		err = record.ErrNotFound
	}
	if err != nil {
		return record.Escalation{}, wrap(op, err)
	}
	return escalationFromMap(m), nil
}

// ListEscalations returns escalations newest first (by raise time), at most
// f.Limit (default 50). OpenOnly reads the open index, RaisedBy the
// raiser's index, so neither scans the whole history.
func (s *Store) ListEscalations(ctx context.Context, ws string, f record.EscalationFilter) ([]record.Escalation, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("list escalations: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultListLimit
	}
	k := s.keys(ws)
	index, page := k.raisedIndex(), int64(limit)
	switch {
	case f.OpenOnly:
		index = k.openIndex()
		if f.RaisedBy != "" {
			page = max(page, 100) // filtered in Go: read wider pages
		}
	case f.RaisedBy != "":
		index = k.raisedByIndex(f.RaisedBy)
	}
	out, err := s.pageEscalations(ctx, ws, index, page, limit, f)
	return out, wrap("list escalations", err)
}

// pageEscalations reads index newest first, page numbers at a time, until
// limit records match f or the index ends.
func (s *Store) pageEscalations(ctx context.Context, ws, index string, page int64, limit int, f record.EscalationFilter) ([]record.Escalation, error) {
	var out []record.Escalation
	for start := int64(0); len(out) < limit; start += page {
		ns, err := s.rdb.ZRevRange(ctx, index, start, start+page-1).Result()
		if err != nil {
			return nil, err
		}
		recs, err := s.readEscalations(ctx, ws, ns)
		if err != nil {
			return nil, err
		}
		// Filter the page in place; the first page becomes the result
		// without a copy (escalations are large: a 10,000-escalation
		// ladder pass spent most of its time growing this slice).
		kept := recs[:0]
		for _, e := range recs {
			if len(out)+len(kept) < limit && f.Matches(e) {
				kept = append(kept, e)
			}
		}
		if len(out) == 0 {
			out = kept
		} else {
			out = append(out, kept...)
		}
		if int64(len(ns)) < page {
			break
		}
	}
	if out == nil {
		out = []record.Escalation{}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].RaisedAt.Equal(out[j].RaisedAt) {
			return out[i].RaisedAt.After(out[j].RaisedAt)
		}
		return out[i].N > out[j].N
	})
	return out, nil
}

// readEscalations reads the numbered escalations in one pipeline, in the
// given order, skipping any that do not exist.
func (s *Store) readEscalations(ctx context.Context, ws string, ns []string) ([]record.Escalation, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	k := s.keys(ws)
	cmds := make([]*redis.MapStringStringCmd, len(ns))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, n := range ns {
			cmds[i] = p.HGetAll(ctx, k.escalationPrefix()+n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return collectEscalations(cmds), nil
}

// collectEscalations decodes pipelined HGETALL replies, skipping empty ones.
func collectEscalations(cmds []*redis.MapStringStringCmd) []record.Escalation {
	out := make([]record.Escalation, 0, len(cmds))
	for _, c := range cmds {
		if m := c.Val(); len(m) > 0 {
			out = append(out, escalationFromMap(m))
		}
	}
	return out
}

// escalationFromMap decodes an escalation hash; bad fields decode as zero.
func escalationFromMap(m map[string]string) record.Escalation {
	reminders, _ := strconv.Atoi(m["reminders"])
	return record.Escalation{
		N: atoi64(m["n"]), Ref: m["ref"], Outcome: m["outcome"], Reason: m["reason"],
		RaisedBy: m["raised_by"], RaisedIn: m["raised_in"], RaisedAt: fromMS(m["raised_at"]),
		State: m["state"],
		AckBy: m["ack_by"], AckAt: fromMS(m["ack_at"]), AckNote: m["ack_note"],
		ResolvedBy: m["resolved_by"], ResolvedAt: fromMS(m["resolved_at"]),
		ResolveNote: m["resolve_note"],
		Reminders:   reminders, RemindedAt: fromMS(m["reminded_at"]),
		CardChannel: m["card_channel"], CardID: m["card_id"],
		AnnounceChannel: m["announce_channel"], AnnounceID: m["announce_id"],
		Note: m["note"], NoteBy: m["note_by"], NoteAt: fromMS(m["note_at"]),
		Withdrawn: m["withdrawn"] == "1", ReopenedBy: m["reopened_by"], ReopenedAt: fromMS(m["reopened_at"]),
		ReopenNote: m["reopen_note"], Reopens: int(atoi64(m["reopens"])),
		SnoozedUntil: fromMS(m["snoozed_until"]), SnoozedBy: m["snoozed_by"],
		Assignee: m["assignee"], AssignedBy: m["assigned_by"], AssignedAt: fromMS(m["assigned_at"]),
		Also: decodeAlso(m["also"]), RaisePosts: decodePosts(m["raise_posts"]),
		MessageLink: m["message_link"], MessageBy: m["message_by"], Link: m["link"],
	}
}

// decodeAlso decodes the others who raised an escalation (a JSON list;
// anything else reads as none).
func decodeAlso(raw string) []record.Raiser {
	if raw == "" {
		return nil
	}
	var also []record.Raiser
	if err := json.Unmarshal([]byte(raw), &also); err != nil {
		return nil
	}
	for i := range also {
		also[i].At = fromMS(strconv.FormatInt(also[i].AtMS, 10))
	}
	return also
}

var scriptNote = loadScript("note.lua")

// AddNote records note as the latest note on escalation n, by actor at
// at, in one atomic round trip that also checks actor holds one of roles
// (when set) or is the IT owner of its outcome, and reads the outcome.
// Forbidden → ErrForbidden (checked first); unknown → ErrNotFound;
// resolved → the record and ErrResolved; in those cases nothing changes.
func (s *Store) AddNote(ctx context.Context, ws string, n int64, actor, note string, at time.Time, roles []string) (record.Escalation, record.Outcome, error) {
	k := s.keys(ws)
	return s.lifecycle(ctx, ws, fmt.Sprintf("note on E-%d", n), call{script: scriptNote,
		keys: []string{k.audit(), k.escalation(n), k.userRoles(actor)},
		args: s.auditArgs(actor, msArg(at), note, n, strings.Join(roles, " "), k.outcome(""))})
}

var scriptAssign = loadScript("assign.lua")

// Assign gives escalation n to assignee (and, with outcome set, moves it
// to that outcome), by actor at at, in one atomic round trip that checks
// actor holds one of roles (when set), or is its assignee or its outcome's
// IT owner, and reads the outcome. Forbidden → ErrForbidden (checked
// first); unknown escalation or outcome → ErrNotFound; resolved → the
// record and ErrResolved; archived outcome → ErrArchived; in those cases
// nothing changes. The raise time stays.
func (s *Store) Assign(ctx context.Context, ws string, n int64, assignee, outcome, actor string, at time.Time, roles []string) (record.Escalation, record.Outcome, error) {
	k := s.keys(ws)
	return s.lifecycle(ctx, ws, fmt.Sprintf("assign E-%d", n), call{script: scriptAssign,
		keys: []string{k.audit(), k.escalation(n), k.userRoles(actor)},
		args: s.auditArgs(actor, msArg(at), assignee, n, strings.Join(roles, " "), k.outcome(""), outcome)})
}

var (
	scriptWithdraw = loadScript("withdraw.lua")
	scriptReopen   = loadScript("reopen.lua")
)

// Withdraw ends escalation n as withdrawn by its raiser (or by someone
// holding one of roles, when set), with reason, at at, in one atomic round
// trip that also reads its outcome. Forbidden → ErrForbidden (checked
// first); unknown → ErrNotFound; resolved already → the record and
// ErrResolved; in those cases nothing changes.
func (s *Store) Withdraw(ctx context.Context, ws string, n int64, actor, reason string, at time.Time, roles []string) (record.Escalation, record.Outcome, error) {
	k := s.keys(ws)
	return s.lifecycle(ctx, ws, fmt.Sprintf("withdraw E-%d", n), call{script: scriptWithdraw,
		keys: []string{k.audit(), k.escalation(n), k.resolvedIndex(), k.openIndex(), k.userRoles(actor)},
		args: s.auditArgs(actor, msArg(at), reason, n, strings.Join(roles, " "), k.outcome(""))})
}

// Reopen reopens resolved escalation n, by its raiser or assignee (or
// someone holding one of roles, when set), if it was resolved at most
// window before at: same E-n, open again, its ladder counting from at.
// Forbidden → ErrForbidden; unknown → ErrNotFound; not resolved (still
// open) → ErrStillOpen; past the window → ErrResolved; in those cases
// nothing changes.
func (s *Store) Reopen(ctx context.Context, ws string, n int64, actor, reason string, at time.Time, window time.Duration, roles []string) (record.Escalation, record.Outcome, error) {
	k := s.keys(ws)
	return s.lifecycle(ctx, ws, fmt.Sprintf("reopen E-%d", n), call{script: scriptReopen,
		keys: []string{k.audit(), k.escalation(n), k.openIndex(), k.userRoles(actor), k.escalationByRef()},
		args: s.auditArgs(actor, msArg(at), reason, n, strings.Join(roles, " "), k.outcome(""), window.Milliseconds(), k.escalationPrefix())})
}

// lifecycle runs one of the scripts that change an escalation after it
// was raised (note, assign, snooze, withdraw, reopen) and maps its status:
// "first" is the change made; "forbidden" ErrForbidden; "notfound" and
// "nooutcome" ErrNotFound; "archived" ErrArchived; "resolved" and
// "toolate" ErrResolved; "notresolved" ErrStillOpen.
func (s *Store) lifecycle(ctx context.Context, ws, op string, c call) (record.Escalation, record.Outcome, error) {
	if err := checkWorkspace(ws); err != nil {
		return record.Escalation{}, record.Outcome{}, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.run(ctx, ws, false, c)
	if err != nil {
		return record.Escalation{}, record.Outcome{}, wrap(op, err)
	}
	if arr, _ := v.([]any); len(arr) == 2 && arr[0] == "other" {
		other, _ := arr[1].(int64)
		return record.Escalation{N: other}, record.Outcome{}, fmt.Errorf("%s: E-%d is open on the same ticket: %w", op, other, record.ErrDuplicate)
	}
	status, rec, err := scriptReply(v)
	if err != nil {
		return record.Escalation{}, record.Outcome{}, fmt.Errorf("%s: %w", op, err)
	}
	var o record.Outcome
	if arr, _ := v.([]any); len(arr) > 2 {
		o = outcomeFromMap(pairs(arr[2]))
	}
	e := escalationFromMap(rec)
	switch status {
	case "first":
		return e, o, nil
	case "forbidden":
		return record.Escalation{}, record.Outcome{}, fmt.Errorf("%s: %w", op, record.ErrForbidden)
	case "notfound", "nooutcome":
		return record.Escalation{}, record.Outcome{}, fmt.Errorf("%s: %s: %w", op, status, record.ErrNotFound)
	case "archived":
		return record.Escalation{}, record.Outcome{}, fmt.Errorf("%s: %w", op, record.ErrArchived)
	case "resolved", "toolate":
		return e, o, fmt.Errorf("%s: %s: %w", op, status, record.ErrResolved)
	case "notresolved":
		return e, o, fmt.Errorf("%s: %w", op, record.ErrStillOpen)
	}
	return record.Escalation{}, record.Outcome{}, fmt.Errorf("%s: unexpected status %q", op, status)
}

var scriptSnooze = loadScript("snooze.lua")

// Snooze pauses escalation n's ladder until until, by actor at at, in one
// atomic round trip that checks, in the same step, one of roles (when set)
// or that actor is its assignee or its outcome's IT owner, and reads its
// outcome. Forbidden → ErrForbidden (checked first); unknown →
// ErrNotFound; resolved → the record and ErrResolved; in those cases
// nothing changes.
func (s *Store) Snooze(ctx context.Context, ws string, n int64, actor string, until, at time.Time, roles []string) (record.Escalation, record.Outcome, error) {
	k := s.keys(ws)
	return s.lifecycle(ctx, ws, fmt.Sprintf("snooze E-%d", n), call{script: scriptSnooze,
		keys: []string{k.audit(), k.escalation(n), k.userRoles(actor)},
		args: s.auditArgs(actor, msArg(at), msArg(until), n, strings.Join(roles, " "), k.outcome(""))})
}

// decodePosts decodes a JSON list of posts (anything else reads as none).
func decodePosts(raw string) []record.Post {
	var posts []record.Post
	if raw == "" || json.Unmarshal([]byte(raw), &posts) != nil {
		return nil
	}
	return posts
}

var scriptRaisePost = loadScript("raise_post.lua")

// maxRaisePosts bounds the raise posts an escalation remembers.
const maxRaisePosts = 20

// AddRaisePost records that escalation n was raised to leadership in
// channel as message id, so the post can be updated as it moves. Unknown →
// ErrNotFound.
func (s *Store) AddRaisePost(ctx context.Context, ws string, n int64, channel, id string) error {
	op := fmt.Sprintf("record raise post of E-%d", n)
	if err := checkWorkspace(ws); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.run(ctx, ws, false, call{script: scriptRaisePost, keys: []string{s.keys(ws).escalation(n)}, args: []any{channel, id, maxRaisePosts}})
	if err == nil && v != int64(1) {
		err = record.ErrNotFound
	}
	return wrap(op, err)
}
