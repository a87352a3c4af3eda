-- ack.lua: acknowledge an open escalation.
-- KEYS[1] audit, KEYS[2] escalation hash, KEYS[3] acked index (zset)
-- ARGV[1..3] audit, ARGV[4] note, ARGV[5] number.
-- Returns {status, record}: status "notfound", "resolved", "again" (already
-- acknowledged, nothing changed) or "first".
if redis.call('EXISTS', KEYS[2]) == 0 then
  return {'notfound'}
end
local state = redis.call('HGET', KEYS[2], 'state')
if state == 'resolved' then
  return {'resolved', redis.call('HGETALL', KEYS[2])}
end
if state == 'acknowledged' then
  return {'again', redis.call('HGETALL', KEYS[2])}
end
redis.call('HSET', KEYS[2], 'state', 'acknowledged', 'ack_by', ARGV[2],
  'ack_at', ARGV[3], 'ack_note', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[5])
audit('ack', 'E-' .. ARGV[5])
return {'first', redis.call('HGETALL', KEYS[2])}
