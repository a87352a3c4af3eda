-- ack.lua: acknowledge an open escalation.
-- KEYS[1] audit, KEYS[2] escalation hash, KEYS[3] acked index (zset),
-- KEYS[4] the actor's role set (only read when ARGV[6] is set)
-- ARGV[1..3] audit, ARGV[4] note, ARGV[5] number, ARGV[6] roles that may
-- (space-separated; empty: no check), ARGV[7] outcome hash prefix (optional).
-- Returns {status, record[, outcome]}: status "forbidden" (the actor holds
-- none of ARGV[6] and is not the IT owner of the escalation's outcome;
-- checked first, so it tells nothing of the escalation),
-- "notfound", "resolved", "again" (already acknowledged, nothing changed)
-- or "first".
if not mayOwn(KEYS[4], ARGV[6], KEYS[2], ARGV[7]) then
  return {'forbidden'}
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  return {'notfound'}
end
local state = redis.call('HGET', KEYS[2], 'state')
if state == 'resolved' then
  return settled('resolved', KEYS[2], ARGV[7])
end
if state == 'acknowledged' then
  return settled('again', KEYS[2], ARGV[7])
end
redis.call('HSET', KEYS[2], 'state', 'acknowledged', 'ack_by', ARGV[2],
  'ack_at', ARGV[3], 'ack_note', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[5])
audit('ack', 'E-' .. ARGV[5])
return settled('first', KEYS[2], ARGV[7])
