-- escalate.lua: raise a new escalation numbered from the workspace counter.
-- KEYS[1] audit, KEYS[2] counter, KEYS[3] raised index, KEYS[4] open index,
-- KEYS[5] the raiser's index (all zsets scored by raise time).
-- ARGV[1..3] audit (actor = raiser, time = raise time),
-- ARGV[4] escalation hash prefix, ARGV[5] ref, ARGV[6..] field, value pairs.
-- Returns the new number.
local n = redis.call('INCR', KEYS[2])
redis.call('HSET', ARGV[4] .. n, 'n', n, 'state', 'open', unpack(ARGV, 6))
for i = 3, 5 do
  redis.call('ZADD', KEYS[i], ARGV[3], n)
end
audit('escalate', 'E-' .. n .. ' ' .. ARGV[5])
return n
