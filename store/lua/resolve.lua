-- resolve.lua: resolve an open or acknowledged escalation.
-- KEYS[1] audit, KEYS[2] escalation hash, KEYS[3] resolved index (zset),
-- KEYS[4] open index (zset), KEYS[5] the actor's role set (only read when
-- ARGV[6] is set)
-- ARGV[1..3] audit, ARGV[4] note, ARGV[5] number, ARGV[6] roles that may
-- (space-separated; empty: no check), ARGV[7] outcome hash prefix (optional).
-- Returns {status, record[, outcome]}: status "forbidden" (no role in
-- ARGV[6] and not the outcome's IT owner; checked first),
-- "notfound", "again" (already resolved, nothing changed) or "first".
if not mayOwn(KEYS[5], ARGV[6], KEYS[2], ARGV[7]) then
  return {'forbidden'}
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  return {'notfound'}
end
if redis.call('HGET', KEYS[2], 'state') == 'resolved' then
  return settled('again', KEYS[2], ARGV[7])
end
resolveEscalation(KEYS[2], ARGV[5], ARGV[2], ARGV[3], ARGV[4], KEYS[3], KEYS[4])
return settled('first', KEYS[2], ARGV[7])
