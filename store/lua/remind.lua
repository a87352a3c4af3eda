-- remind.lua: claim a reminder ladder step for an open escalation.
-- KEYS[1] audit, KEYS[2] escalation hash
-- ARGV[1..3] audit, ARGV[4] step, ARGV[5] number.
-- Returns {status, record}: status "notfound", "no" (not open, or the step
-- was already claimed) or "claimed".
if redis.call('EXISTS', KEYS[2]) == 0 then
  return {'notfound'}
end
local state = redis.call('HGET', KEYS[2], 'state')
local sent = tonumber(redis.call('HGET', KEYS[2], 'reminders') or '0') or 0
local step = tonumber(ARGV[4])
if state ~= 'open' or sent >= step then
  return {'no', redis.call('HGETALL', KEYS[2])}
end
redis.call('HSET', KEYS[2], 'reminders', ARGV[4], 'reminded_at', ARGV[3])
audit('reminder', 'E-' .. ARGV[5] .. ' step ' .. ARGV[4])
return {'claimed', redis.call('HGETALL', KEYS[2])}
