-- note.lua: add a note to an open or acknowledged escalation.
-- KEYS[1] audit, KEYS[2] escalation hash, KEYS[3] the actor's role set.
-- ARGV[1..3] audit (actor, time), ARGV[4] the note, ARGV[5] number,
-- ARGV[6] roles that may (space-separated; empty: no check), ARGV[7]
-- outcome hash prefix. The outcome's IT owner may without a role.
-- Returns {status, record[, outcome]}: "forbidden" (checked first, so it
-- tells nothing of the escalation), "notfound", "resolved" (nothing
-- changed) or "first".
-- A resent call (the same actor's change at the same instant) answers as
-- the first run did, writing nothing.
if redis.call('HGET', KEYS[2], 'note_by') == ARGV[2] and redis.call('HGET', KEYS[2], 'note_at') == ARGV[3] and redis.call('HGET', KEYS[2], 'note') == ARGV[4] then
  return settled('first', KEYS[2], ARGV[7])
end
local refused = changeable(KEYS[3], ARGV[6], KEYS[2], ARGV[7])
if refused then return refused end
redis.call('HSET', KEYS[2], 'note', ARGV[4], 'note_by', ARGV[2], 'note_at', ARGV[3])
audit('note', 'E-' .. ARGV[5])
return settled('first', KEYS[2], ARGV[7])
