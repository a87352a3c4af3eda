-- withdraw.lua: the raiser (or an admin) withdraws an open escalation.
-- KEYS[1] audit, KEYS[2] escalation hash, KEYS[3] resolved index, KEYS[4]
-- open index, KEYS[5] the actor's role set.
-- ARGV[1..3] audit (actor, time), ARGV[4] reason, ARGV[5] number, ARGV[6]
-- roles that may besides the raiser ('' for anyone), ARGV[7] outcome hash
-- prefix. It ends like a resolve, marked withdrawn.
-- Returns {status, record[, outcome]}: "forbidden" (checked first),
-- "notfound", "resolved" (nothing changed) or "first".
-- A resent call (the same actor's withdrawal at the same instant) answers
-- as the first run did, writing nothing.
if redis.call('HGET', KEYS[2], 'resolved_by') == ARGV[2] and redis.call('HGET', KEYS[2], 'resolved_at') == ARGV[3]
    and redis.call('HGET', KEYS[2], 'withdrawn') == '1' then
  return settled('first', KEYS[2], ARGV[7])
end
if redis.call('HGET', KEYS[2], 'raised_by') ~= ARGV[2] and not may(KEYS[5], ARGV[6]) then
  return {'forbidden'}
end
if redis.call('EXISTS', KEYS[2]) == 0 then return {'notfound'} end
if redis.call('HGET', KEYS[2], 'state') == 'resolved' then
  return settled('resolved', KEYS[2], ARGV[7])
end
redis.call('HSET', KEYS[2], 'withdrawn', '1')
resolveEscalation(KEYS[2], ARGV[5], ARGV[2], ARGV[3], ARGV[4], KEYS[3], KEYS[4], 'withdraw')
return settled('first', KEYS[2], ARGV[7])
