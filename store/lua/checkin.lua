-- checkin.lua: a change by an outcome's business owner (or an admin):
-- record a KPI value, confirm the outcome is still a priority, or archive it.
-- KEYS[1] audit, KEYS[2] outcome hash, KEYS[3] the actor's role set,
-- KEYS[4] the outcome's KPI values (zset, score ms, member JSON),
-- KEYS[5] the outcome's KPI meta hash (unit, confirmed_at, confirmed_by).
-- ARGV[1..3] audit (actor, time ms), ARGV[4] "kpi"|"confirm"|"archive",
-- ARGV[5] outcome key, ARGV[6] roles that may besides the business owner
-- (space-separated; empty: no check), ARGV[7] the value's JSON, ARGV[8]
-- its unit, ARGV[9] drop values scored below this (ms), ARGV[10] values
-- kept at most, ARGV[11] the value as text (for the audit).
-- Returns {verdict, owner, latest earlier value JSON or '', values kept}:
-- "notfound", "forbidden" (not the owner and no role), "already" (archive
-- of an archived outcome), "archived" (no KPI or confirmation on one),
-- "unit" (the unit differs from the earlier values') or "done".
if redis.call('EXISTS', KEYS[2]) == 0 then return {'notfound', '', '', 0} end
local owner = redis.call('HGET', KEYS[2], 'owner')
if not owner then owner = '' end
if not (owner ~= '' and owner == ARGV[2]) and not may(KEYS[3], ARGV[6]) then
  return {'forbidden', owner, '', 0}
end
local mode = ARGV[4]
local archived = redis.call('HGET', KEYS[2], 'status') == 'archived'
if mode == 'archive' then
  if archived then return {'already', owner, '', 0} end
  redis.call('HSET', KEYS[2], 'status', 'archived')
  audit('outcome.archive', ARGV[5])
  return {'done', owner, '', 0}
end
if archived then return {'archived', owner, '', 0} end
if mode == 'confirm' then
  redis.call('HSET', KEYS[5], 'confirmed_at', ARGV[3], 'confirmed_by', ARGV[2])
  audit('outcome.confirm', ARGV[5])
  return {'done', owner, '', 0}
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[9])
local last = redis.call('ZRANGE', KEYS[4], -1, -1)[1] or ''
local unit = redis.call('HGET', KEYS[5], 'unit')
if last ~= '' and unit and string.lower(unit) ~= string.lower(ARGV[8]) then
  return {'unit', owner, last, 0}
end
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[7])
local max = tonumber(ARGV[10])
local n = redis.call('ZCARD', KEYS[4])
if n > max then
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, n - max - 1)
  n = max
end
redis.call('HSET', KEYS[5], 'unit', ARGV[8])
audit('outcome.kpi', ARGV[5] .. ' ' .. ARGV[11])
return {'done', owner, last, n}
