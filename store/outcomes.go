package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// CreateOutcome stores a new outcome; ErrExists if the key is taken. The
// check and the write are one atomic step. An empty Status is stored as
// OutcomeActive; CreatedBy and CreatedAt are taken from o.
func (s *Store) CreateOutcome(ctx context.Context, ws string, o record.Outcome) error {
	if err := checkWorkspace(ws); err != nil {
		return fmt.Errorf("create outcome %s: %w", o.Key, err)
	}
	if o.Key == "" {
		return errors.New("create outcome: empty key")
	}
	if o.Status == "" {
		o.Status = record.OutcomeActive
	}
	fields := append(outcomeFields(o), "status", o.Status,
		"created_by", o.CreatedBy, "created_at", msArg(o.CreatedAt))
	ok, err := s.putOutcome(ctx, ws, "create", o.Key, o.CreatedBy, o.CreatedAt, fields)
	if err == nil && !ok {
		err = record.ErrExists
	}
	return wrap("create outcome "+o.Key, err)
}

// UpdateOutcome overwrites an existing outcome's fields; ErrNotFound if
// absent. Status, CreatedBy and CreatedAt are kept unless o sets them;
// actor and at go to the audit stream. One atomic round trip.
func (s *Store) UpdateOutcome(ctx context.Context, ws string, o record.Outcome, actor string, at time.Time) error {
	if err := checkWorkspace(ws); err != nil {
		return fmt.Errorf("update outcome %s: %w", o.Key, err)
	}
	fields := outcomeFields(o)
	if o.Status != "" {
		fields = append(fields, "status", o.Status)
	}
	if o.CreatedBy != "" {
		fields = append(fields, "created_by", o.CreatedBy)
	}
	if !o.CreatedAt.IsZero() {
		fields = append(fields, "created_at", msArg(o.CreatedAt))
	}
	ok, err := s.putOutcome(ctx, ws, "update", o.Key, actor, at, fields)
	if err == nil && !ok {
		err = record.ErrNotFound
	}
	return wrap("update outcome "+o.Key, err)
}

// outcomeFields lists the fields every create and update writes.
func outcomeFields(o record.Outcome) []any {
	return []any{
		"key", o.Key, "title", o.Title, "kpi", o.KPI, "owner", o.Owner,
		"it_owner", o.ITOwner, "it_channel", o.ITChannel,
		"sla_ms", o.SLA.Milliseconds(), "hours", o.Hours,
	}
}

// putOutcome runs the create-or-update script; false means the existence
// check failed.
func (s *Store) putOutcome(ctx context.Context, ws, mode, key, actor string, at time.Time, fields []any) (bool, error) {
	k := s.keys(ws)
	v, err := s.run(ctx, ws, mode == "create", call{
		script: scriptOutcomePut,
		keys:   []string{k.audit(), k.outcome(key), k.outcomeIndex()},
		args:   append(s.auditArgs(actor, msArg(at), mode, key), fields...),
	})
	n, _ := v.(int64)
	return n == 1, err
}

// GetOutcome reads one outcome; ErrNotFound if absent.
func (s *Store) GetOutcome(ctx context.Context, ws, key string) (record.Outcome, error) {
	if err := checkWorkspace(ws); err != nil {
		return record.Outcome{}, fmt.Errorf("get outcome %s: %w", key, err)
	}
	m, err := s.rdb.HGetAll(ctx, s.keys(ws).outcome(key)).Result()
	if err == nil && len(m) == 0 {
		err = record.ErrNotFound
	}
	if err != nil {
		return record.Outcome{}, wrap("get outcome "+key, err)
	}
	return outcomeFromMap(m), nil
}

// ListOutcomes returns every outcome of the workspace sorted by key, in two
// round trips (the index, then every hash pipelined).
func (s *Store) ListOutcomes(ctx context.Context, ws string) ([]record.Outcome, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("list outcomes: %w", err)
	}
	keys, err := s.rdb.ZRange(ctx, s.keys(ws).outcomeIndex(), 0, -1).Result()
	if err != nil {
		return nil, wrap("list outcomes", err)
	}
	out, err := s.readOutcomes(ctx, ws, keys)
	return out, wrap("list outcomes", err)
}

// readOutcomes reads the named outcomes in one pipeline, skipping any that
// vanished, sorted by key.
func (s *Store) readOutcomes(ctx context.Context, ws string, keys []string) ([]record.Outcome, error) {
	if len(keys) == 0 {
		return []record.Outcome{}, nil
	}
	k := s.keys(ws)
	cmds := make([]*redis.MapStringStringCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			cmds[i] = p.HGetAll(ctx, k.outcome(key))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return collectOutcomes(cmds), nil
}

// collectOutcomes decodes pipelined HGETALL replies, sorted by key.
func collectOutcomes(cmds []*redis.MapStringStringCmd) []record.Outcome {
	out := make([]record.Outcome, 0, len(cmds))
	for _, c := range cmds {
		if m := c.Val(); len(m) > 0 {
			out = append(out, outcomeFromMap(m))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// outcomeFromMap decodes an outcome hash; bad fields decode as zero values.
func outcomeFromMap(m map[string]string) record.Outcome {
	sla, _ := strconv.ParseInt(m["sla_ms"], 10, 64)
	return record.Outcome{
		Key:       m["key"],
		Title:     m["title"],
		KPI:       m["kpi"],
		Owner:     m["owner"],
		ITOwner:   m["it_owner"],
		ITChannel: m["it_channel"],
		SLA:       time.Duration(sla) * time.Millisecond,
		Hours:     m["hours"],
		Status:    m["status"],
		CreatedBy: m["created_by"],
		CreatedAt: fromMS(m["created_at"]),
	}
}
