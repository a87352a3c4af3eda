-- remind_release.lua: give back a claimed ladder step whose post failed
-- everywhere, so a later pass sends it again.
-- KEYS[1] audit, KEYS[2] escalation hash
-- ARGV[1..3] audit, ARGV[4] step, ARGV[5] number, ARGV[6] most retries.
-- Returns {status, record}: "notfound"; "no" (not open, or the ladder has
-- moved on from this step); "gaveup" (the step failed more than ARGV[6]
-- times: it stays claimed); "claimed" (released for a retry).
if redis.call('EXISTS', KEYS[2]) == 0 then
  return {'notfound'}
end
local state = redis.call('HGET', KEYS[2], 'state')
local sent = tonumber(redis.call('HGET', KEYS[2], 'reminders') or '0') or 0
local step = tonumber(ARGV[4])
if state ~= 'open' or sent ~= step then
  return {'no', redis.call('HGETALL', KEYS[2])}
end
local failures = redis.call('HINCRBY', KEYS[2], 'remind_failures', 1)
if failures > tonumber(ARGV[6]) then
  audit('reminder-failed', 'E-' .. ARGV[5] .. ' step ' .. ARGV[4] .. ' given up')
  return {'gaveup', redis.call('HGETALL', KEYS[2])}
end
redis.call('HSET', KEYS[2], 'reminders', step - 1)
audit('reminder-retry', 'E-' .. ARGV[5] .. ' step ' .. ARGV[4])
return {'claimed', redis.call('HGETALL', KEYS[2])}
