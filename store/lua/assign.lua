-- assign.lua: give an open or acknowledged escalation to a person, and
-- optionally move it to another outcome.
-- KEYS[1] audit, KEYS[2] escalation hash, KEYS[3] the actor's role set.
-- ARGV[1..3] audit (actor, time), ARGV[4] assignee, ARGV[5] number,
-- ARGV[6] roles that may (space-separated; empty: no check), ARGV[7]
-- outcome hash prefix, ARGV[8] the outcome to move it to ('' stays).
-- The outcome's IT owner and the current assignee may without a role.
-- Returns {status, record[, outcome]}: "forbidden" (checked first),
-- "notfound", "resolved", "nooutcome", "archived" (nothing changed) or
-- "first". The raise time stays, so the ladder keeps counting from it.
-- A resent call (the same actor's change at the same instant) answers as
-- the first run did, writing nothing.
if redis.call('HGET', KEYS[2], 'assigned_by') == ARGV[2] and redis.call('HGET', KEYS[2], 'assigned_at') == ARGV[3] and redis.call('HGET', KEYS[2], 'assignee') == ARGV[4] then
  return settled('first', KEYS[2], ARGV[7])
end
local refused = changeable(KEYS[3], ARGV[6], KEYS[2], ARGV[7])
if refused then return refused end
if ARGV[8] ~= '' then
  local status = redis.call('HGET', ARGV[7] .. ARGV[8], 'status')
  if not status then return {'nooutcome'} end
  if status == 'archived' then return {'archived'} end
  redis.call('HSET', KEYS[2], 'outcome', ARGV[8])
end
redis.call('HSET', KEYS[2], 'assignee', ARGV[4], 'assigned_by', ARGV[2], 'assigned_at', ARGV[3])
audit('assign', 'E-' .. ARGV[5] .. ' ' .. ARGV[4] .. ' ' .. ARGV[8])
return settled('first', KEYS[2], ARGV[7])
