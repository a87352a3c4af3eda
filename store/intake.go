package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// scriptIntake creates or updates one request from an ITSM or a spreadsheet;
// see lua/intake.lua.
var scriptIntake = loadScript("intake.lua")

// importSeenTTL bounds the life of an import run's scratch hash of
// references, in case the run dies before deleting it.
const importSeenTTL = 24 * time.Hour

// Intake creates or updates each item's request in one pipelined round trip
// for the whole batch (the new workspace is registered in the same one),
// the items run in order, a chunk of them per script run. Each item is one
// atomic step that writes the request, its indexes
// and its audit entries; an item that tags does exactly what Tag does. An
// item that is rejected (its outcome unknown or archived, a duplicate in
// its run) changes nothing and never stops the others. Re-delivering an
// item is idempotent: its reference names one request, and an item that
// changes nothing reports IntakeUnchanged and writes nothing (a request
// first seen in chat takes the item's source only along with something
// new, so an export imported back changes nothing either). A closed
// status removes the request from its outcome's open set; an open one puts
// it back. An item that closes its ticket resolves the ticket's open
// escalation, and one that reopens it reopens its resolved escalation
// (within opts.ReopenWindow), in the same atomic step: the result names
// the escalation (IntakeResult.Escalation).
//
// The error is for the batch: the store could not be reached (matching
// ErrUnavailable) or answered nonsense. Some items may then have been
// written; sending the batch again is safe.
func (s *Store) Intake(ctx context.Context, ws string, items []record.IntakeItem, opts record.IntakeOptions) ([]record.IntakeResult, error) {
	op := fmt.Sprintf("intake %d requests", len(items))
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	for i, it := range items {
		if it.Ref == "" {
			return nil, fmt.Errorf("%s: item %d has no reference", op, i)
		}
	}
	calls := make([]call, 0, (len(items)+intakeChunk-1)/intakeChunk)
	for i := 0; i < len(items); i += intakeChunk {
		calls = append(calls, s.intakeCall(ws, items[i:min(i+intakeChunk, len(items))], opts))
	}
	var after func(redis.Pipeliner)
	if opts.Run != "" {
		seen := s.keys(ws).importSeen(opts.Run)
		after = func(p redis.Pipeliner) { p.PExpire(ctx, seen, importSeenTTL) }
	}
	replies, err := s.runBatch(ctx, ws, !opts.DryRun, calls, after)
	if err != nil {
		return nil, wrap(op, err)
	}
	out := make([]record.IntakeResult, 0, len(items))
	for c, v := range replies {
		arr, _ := v.([]any)
		if want := min(intakeChunk, len(items)-c*intakeChunk); len(arr) != want {
			return nil, fmt.Errorf("%s: %d replies for %d items", op, len(arr), want)
		}
		for _, r := range arr {
			res, err := intakeResult(r)
			if err != nil {
				i := len(out)
				return nil, fmt.Errorf("%s: item %d (%s): %w", op, i, items[i].Ref, err)
			}
			out = append(out, res)
		}
	}
	return out, nil
}

// intakeChunk is how many items one script run takes: a run costs Redis
// about as much as the work of a few items, so items go in chunks (still
// one round trip per batch). A chunk holds the server for well under a
// millisecond.
const intakeChunk = 50

// intakeItemArgs is the number of script arguments per item, after
// intakeCallArgs for the call (see lua/intake.lua).
const (
	intakeItemArgs = 12
	intakeCallArgs = 13
)

// intakeCall builds the script invocation of a chunk of items.
func (s *Store) intakeCall(ws string, items []record.IntakeItem, opts record.IntakeOptions) call {
	k := s.keys(ws)
	keys := make([]string, 0, 4+4*len(items))
	keys = append(keys, k.audit(), k.tagIndex(), k.newRequestIndex())
	run := ""
	if opts.Run != "" {
		run = "1"
		keys = append(keys, k.importSeen(opts.Run))
	}
	dry := ""
	if opts.DryRun {
		dry = "1"
	}
	args := append(make([]any, 0, intakeCallArgs+intakeItemArgs*len(items)), s.auditArgs(opts.Actor, msArg(opts.At), k.taggedPrefix(), dry, run, opts.Note,
		k.escalationByRef(), k.escalationPrefix(), k.openIndex(), k.resolvedIndex(), opts.ReopenWindow.Milliseconds(), record.ITSMActor(""))...)
	for _, it := range items {
		keys = append(keys, k.request(it.Ref), k.history(it.Ref))
		mode := ""
		switch {
		case it.Untag:
			mode = "clear"
		case it.Outcome != "":
			mode = "set"
			keys = append(keys, k.tagged(it.Outcome), k.outcome(it.Outcome))
		}
		seen := ""
		if opts.Run != "" {
			seen = it.Seen
			if seen == "" {
				seen = "?"
			}
		}
		opened := ""
		if !it.Opened.IsZero() {
			opened = msArg(it.Opened)
		}
		actor := opts.Actor
		if it.Actor != "" {
			actor = it.Actor
		}
		args = append(args, actor, it.Ref, it.Title, it.Requester, it.URL, it.Status, it.Source, opened, mode, it.Outcome, seen, it.EscalationNote)
	}
	return call{script: scriptIntake, keys: keys, args: args}
}

// intakeResult decodes one item's reply.
func intakeResult(v any) (record.IntakeResult, error) {
	arr, _ := v.([]any)
	str := func(i int) string {
		if i < len(arr) {
			s, _ := arr[i].(string)
			return s
		}
		return ""
	}
	switch verdict := str(0); verdict {
	case record.IntakeCreated, record.IntakeUpdated, record.IntakeUnchanged:
		r := record.IntakeResult{Verdict: verdict, Prev: str(1), Outcome: str(2), EscalationChange: str(4)}
		if c := str(3); c != "" {
			r.Changed = strings.Split(c, ",")
		}
		if len(arr) > 5 {
			r.Escalation, _ = arr[5].(int64)
		}
		if (r.EscalationChange == "") != (r.Escalation == 0) {
			return record.IntakeResult{}, fmt.Errorf("unexpected escalation change %v", v)
		}
		return r, nil
	case "duplicate":
		return record.IntakeResult{Err: record.ErrDuplicate, FirstSeen: str(1)}, nil
	case "nooutcome":
		return record.IntakeResult{Err: record.ErrNotFound}, nil
	case "archived":
		return record.IntakeResult{Err: record.ErrArchived}, nil
	}
	return record.IntakeResult{}, fmt.Errorf("unexpected reply %v", v)
}

// EndImportRun deletes an import run's scratch hash of references.
func (s *Store) EndImportRun(ctx context.Context, ws, run string) error {
	if err := checkWorkspace(ws); err != nil {
		return fmt.Errorf("end import run: %w", err)
	}
	return wrap("end import run", s.rdb.Del(ctx, s.keys(ws).importSeen(run)).Err())
}

// runBatch runs calls in one pipeline, adding ws to the workspace set when
// register is set and then after's commands (if any; their replies are not
// read), and returns each call's reply in order. Calls whose
// script the server does not know (NOSCRIPT: a restarted or flushed Redis)
// are sent once more after loading it; a NOSCRIPT reply means the script
// did not run, so nothing runs twice. A script error in one call fails the
// batch: the scripts only fail on a bug or a broken store.
func (s *Store) runBatch(ctx context.Context, ws string, register bool, calls []call, after func(redis.Pipeliner)) ([]any, error) {
	replies := make([]any, len(calls))
	pending := make([]int, len(calls))
	for i := range pending {
		pending[i] = i
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		cmds := make([]*redis.Cmd, len(pending))
		pipe := s.rdb.Pipeline()
		for j, i := range pending {
			c := calls[i]
			cmds[j] = c.script.EvalSha(ctx, pipe, c.keys, c.args...)
		}
		if register && attempt == 0 {
			pipe.SAdd(ctx, s.workspacesKey(), ws)
		}
		if after != nil {
			after(pipe)
		}
		_, execErr := pipe.Exec(ctx)
		var retry []int
		for j, i := range pending {
			err := cmds[j].Err()
			switch {
			case err == nil:
				replies[i] = cmds[j].Val()
			case redis.HasErrorPrefix(err, "NOSCRIPT") && attempt == 0:
				retry = append(retry, i)
			default:
				return nil, err
			}
		}
		if len(retry) > 0 {
			if err := s.loadScripts(ctx, calls, retry); err != nil {
				return nil, err
			}
		} else if execErr != nil && !redis.HasErrorPrefix(execErr, "NOSCRIPT") {
			return nil, execErr
		}
		pending = retry
	}
	return replies, nil
}

// loadScripts loads the scripts of the calls at the given indexes, each once.
func (s *Store) loadScripts(ctx context.Context, calls []call, idx []int) error {
	loaded := make(map[*redis.Script]bool)
	for _, i := range idx {
		sc := calls[i].script
		if loaded[sc] {
			continue
		}
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			return err
		}
		loaded[sc] = true
	}
	return nil
}
