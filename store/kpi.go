package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// This file keeps each outcome's own number (its KPI values), whether its
// business owner still confirms it as a priority, and the once-a-week
// check-in claims. Keys, all under the workspace's hash tag:
//
//	<prefix>:{ws}:kpi:<outcome>               zset: recorded at (ms) → JSON KPIValue
//	<prefix>:{ws}:kpimeta:<outcome>           hash: unit, confirmed_at (ms), confirmed_by
//	<prefix>:{ws}:checkin:<week>:<owner>      holder (PX lease) while sending, "retry:<ms>"
//	                                          after a failure, then "sent"

var scriptCheckIn = loadScript("checkin.lua")

func (k keyspace) kpi(outcome string) string     { return k.base + "kpi:" + outcome }
func (k keyspace) kpiMeta(outcome string) string { return k.base + "kpimeta:" + outcome }
func (k keyspace) checkIn(week, owner string) string {
	return k.base + "checkin:" + week + ":" + owner
}

// checkInRecordTTL keeps a week's check-in mark past the end of the week.
const checkInRecordTTL = 16 * 24 * time.Hour

// RecordKPI records a value of an outcome's KPI by c.Actor at c.At, in one
// atomic round trip that first checks the outcome exists (ErrNotFound),
// that the actor is its business owner or holds one of c.Need, that it is
// not archived, and that v's unit is the unit of the values kept. It keeps
// at most record.KPIHistoryMax values, none older than record.KPIHistoryAge.
func (s *Store) RecordKPI(ctx context.Context, ws string, c record.CheckIn, v record.KPIValue) (record.CheckInResult, error) {
	v.At, v.By = c.At.UTC(), c.Actor
	b, err := json.Marshal(v)
	if err != nil {
		return record.CheckInResult{}, fmt.Errorf("record KPI of %s: %w", c.Outcome, err)
	}
	minAt := msArg(c.At.Add(-record.KPIHistoryAge))
	return s.checkIn(ctx, ws, "kpi", c, string(b), v.Unit(), minAt, v.Text())
}

// ConfirmOutcome records that c.Actor, its business owner or one holding
// one of c.Need, says the outcome is still a priority: the same checks as
// RecordKPI, in one atomic round trip.
func (s *Store) ConfirmOutcome(ctx context.Context, ws string, c record.CheckIn) (record.CheckInResult, error) {
	return s.checkIn(ctx, ws, "confirm", c, "", "", "0", "")
}

// ArchiveOwnOutcome archives an outcome for its business owner (or one
// holding one of c.Need), checked in the same atomic round trip; an
// archived one is left as it is (record.CheckInAlready).
func (s *Store) ArchiveOwnOutcome(ctx context.Context, ws string, c record.CheckIn) (record.CheckInResult, error) {
	return s.checkIn(ctx, ws, "archive", c, "", "", "0", "")
}

func (s *Store) checkIn(ctx context.Context, ws, mode string, c record.CheckIn, member, unit, minAt, text string) (record.CheckInResult, error) {
	op := mode + " " + c.Outcome
	if err := checkWorkspace(ws); err != nil {
		return record.CheckInResult{}, fmt.Errorf("%s: %w", op, err)
	}
	k := s.keys(ws)
	v, err := s.run(ctx, ws, false, call{
		script: scriptCheckIn,
		keys:   []string{k.audit(), k.outcome(c.Outcome), k.userRoles(c.Actor), k.kpi(c.Outcome), k.kpiMeta(c.Outcome)},
		args: s.auditArgs(c.Actor, msArg(c.At), mode, c.Outcome, strings.Join(c.Need, " "),
			member, unit, minAt, record.KPIHistoryMax, text),
	})
	if err != nil {
		return record.CheckInResult{}, wrap(op, err)
	}
	reply, _ := v.([]any)
	if len(reply) != 4 {
		return record.CheckInResult{}, fmt.Errorf("%s: unexpected reply %v", op, v)
	}
	verdict, _ := reply[0].(string)
	owner, _ := reply[1].(string)
	last, _ := reply[2].(string)
	n, _ := reply[3].(int64)
	if verdict == "notfound" {
		return record.CheckInResult{}, fmt.Errorf("%s: %w", op, record.ErrNotFound)
	}
	res := record.CheckInResult{Verdict: verdict, Owner: owner, Count: int(n)}
	if last != "" {
		_ = json.Unmarshal([]byte(last), &res.Last)
	}
	return res, nil
}

// OutcomeKPIs reads the named outcomes' KPI values recorded at or after
// since (zero: all that are kept), always with the latest one, and their
// confirmations, in one pipelined round trip whose size is bounded by the
// window, not by the history. Outcomes with nothing recorded are absent.
func (s *Store) OutcomeKPIs(ctx context.Context, ws string, outcomes []string, since time.Time) (map[string]record.OutcomeKPI, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("read KPIs: %w", err)
	}
	out := make(map[string]record.OutcomeKPI, len(outcomes))
	if len(outcomes) == 0 {
		return out, nil
	}
	k := s.keys(ws)
	window := &redis.ZRangeBy{Min: "-inf", Max: "+inf"}
	if !since.IsZero() {
		window.Min = msArg(since)
	}
	vals := make([]*redis.StringSliceCmd, len(outcomes))
	latest := make([]*redis.StringSliceCmd, len(outcomes))
	metas := make([]*redis.MapStringStringCmd, len(outcomes))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, o := range outcomes {
			vals[i] = p.ZRangeByScore(ctx, k.kpi(o), window)
			latest[i] = p.ZRange(ctx, k.kpi(o), -1, -1)
			metas[i] = p.HGetAll(ctx, k.kpiMeta(o))
		}
		return nil
	})
	if err != nil {
		return nil, wrap("read KPIs", err)
	}
	for i, o := range outcomes {
		members := vals[i].Val()
		if len(members) == 0 {
			members = latest[i].Val()
		}
		var rec record.OutcomeKPI
		for _, m := range members {
			var v record.KPIValue
			if json.Unmarshal([]byte(m), &v) == nil {
				rec.Values = append(rec.Values, v)
			}
		}
		meta := metas[i].Val()
		rec.ConfirmedAt, rec.ConfirmedBy = fromMS(meta["confirmed_at"]), meta["confirmed_by"]
		if len(rec.Values) > 0 || !rec.ConfirmedAt.IsZero() {
			out[o] = rec
		}
	}
	return out, nil
}

// claimCheckInScript claims an owner's weekly check-in unless it was sent,
// another holder's lease runs, or a failed attempt asked to wait past now.
// KEYS: the mark. ARGV: holder, lease ms, now ms. Returns 1 claimed, 2
// sent, 3 held or waiting.
var claimCheckInScript = redis.NewScript(`
local v = redis.call("get", KEYS[1])
if v == "sent" then return 2 end
if v and string.sub(v, 1, 6) == "retry:" then
  if tonumber(string.sub(v, 7)) > tonumber(ARGV[3]) then return 3 end
  redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2])
  return 1
end
if redis.call("set", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end
return 3`)

// ClaimCheckIn claims the right to send owner's check-in of week at now,
// once across replicas: one atomic round trip. The claim is a lease (a
// Redis TTL), so a holder that dies lets another send once it ends.
func (s *Store) ClaimCheckIn(ctx context.Context, ws, week, owner, holder string, lease time.Duration, now time.Time) (record.CheckInClaim, error) {
	if err := checkWorkspace(ws); err != nil {
		return 0, fmt.Errorf("claim check-in: %w", err)
	}
	n, err := claimCheckInScript.Run(ctx, s.rdb, []string{s.keys(ws).checkIn(week, owner)}, holder, lease.Milliseconds(), ms(now)).Int()
	if err != nil {
		return 0, wrap("claim check-in "+week+" for "+owner, err)
	}
	return record.CheckInClaim(n), nil
}

// failCheckInScript gives up a holder's claim until a retry time.
// KEYS: the mark. ARGV: holder, retry at ms, ttl ms.
var failCheckInScript = redis.NewScript(`
if redis.call("get", KEYS[1]) ~= ARGV[1] then return 0 end
redis.call("set", KEYS[1], "retry:" .. ARGV[2], "PX", ARGV[3])
return 1`)

// FailCheckIn records that holder could not send owner's check-in of week:
// nobody claims it again before retryAt (compared with the time claimers
// pass, so a simulated clock backs off in simulated time).
func (s *Store) FailCheckIn(ctx context.Context, ws, week, owner, holder string, retryAt time.Time) error {
	err := failCheckInScript.Run(ctx, s.rdb, []string{s.keys(ws).checkIn(week, owner)}, holder, ms(retryAt), checkInRecordTTL.Milliseconds()).Err()
	return wrap("record failed check-in "+week+" for "+owner, err)
}

// MarkCheckInSent records owner's check-in of week as sent: never sent again.
func (s *Store) MarkCheckInSent(ctx context.Context, ws, week, owner string) error {
	err := s.rdb.Set(ctx, s.keys(ws).checkIn(week, owner), "sent", checkInRecordTTL).Err()
	return wrap("record check-in "+week+" for "+owner, err)
}
