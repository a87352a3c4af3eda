-- snooze.lua: pause an open escalation's ladder until a time.
-- KEYS[1] audit, KEYS[2] escalation hash, KEYS[3] the actor's role set.
-- ARGV[1..3] audit (actor, time), ARGV[4] until (ms), ARGV[5] number,
-- ARGV[6] roles that may (space-separated; empty: no check), ARGV[7]
-- outcome hash prefix. Its assignee and its outcome's IT owner may
-- without a role.
-- Returns {status, record[, outcome]}: "forbidden" (checked first),
-- "notfound", "resolved" (nothing changed) or "first".
-- A resent call (the same actor's change at the same instant) answers as
-- the first run did, writing nothing.
if redis.call('HGET', KEYS[2], 'snoozed_by') == ARGV[2] and redis.call('HGET', KEYS[2], 'snoozed_at') == ARGV[3] then
  return settled('first', KEYS[2], ARGV[7])
end
local refused = changeable(KEYS[3], ARGV[6], KEYS[2], ARGV[7])
if refused then return refused end
redis.call('HSET', KEYS[2], 'snoozed_until', ARGV[4], 'snoozed_by', ARGV[2], 'snoozed_at', ARGV[3])
audit('snooze', 'E-' .. ARGV[5])
return settled('first', KEYS[2], ARGV[7])
