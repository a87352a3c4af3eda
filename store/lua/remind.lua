-- remind.lua: claim a reminder ladder step for an open escalation, or give
-- back a claimed one whose post failed everywhere.
-- KEYS[1] audit, KEYS[2] escalation hash
-- ARGV[1..3] audit, ARGV[4] step, ARGV[5] number, ARGV[6] absent to claim;
-- to release, the most retries of the escalation's steps.
-- Returns {status, record}: "notfound"; "closed" (release: no longer open,
-- so the ladder has stopped anyway); "no" (claim: not open, or the step was
-- already claimed; release: the ladder is not at this step);
-- "gaveup" (release after more than ARGV[6] failures: the step stays
-- claimed); "claimed" (claimed, or released for a retry).
if redis.call('EXISTS', KEYS[2]) == 0 then
  return {'notfound'}
end
local state = redis.call('HGET', KEYS[2], 'state')
local sent = tonumber(redis.call('HGET', KEYS[2], 'reminders') or '0') or 0
local step = tonumber(ARGV[4])
local release = ARGV[6] and ARGV[6] ~= ''
if release and state ~= 'open' then
  return {'closed', redis.call('HGETALL', KEYS[2])}
end
if release and sent ~= step then
  -- This very release, sent again (go-redis resends a script whose reply
  -- was lost): the step was given back at this time. Say so again.
  if sent == step - 1 and redis.call('HGET', KEYS[2], 'remind_released_at') == ARGV[3] then
    return {'claimed', redis.call('HGETALL', KEYS[2])}
  end
  return {'no', redis.call('HGETALL', KEYS[2])}
end
if state ~= 'open' or (not release and sent >= step) then
  return {'no', redis.call('HGETALL', KEYS[2])}
end
if not release then
  redis.call('HSET', KEYS[2], 'reminders', ARGV[4], 'reminded_at', ARGV[3])
  audit('reminder', 'E-' .. ARGV[5] .. ' step ' .. ARGV[4])
  return {'claimed', redis.call('HGETALL', KEYS[2])}
end
if redis.call('HINCRBY', KEYS[2], 'remind_failures', 1) > tonumber(ARGV[6]) then
  audit('reminder-failed', 'E-' .. ARGV[5] .. ' step ' .. ARGV[4] .. ' given up')
  return {'gaveup', redis.call('HGETALL', KEYS[2])}
end
redis.call('HSET', KEYS[2], 'reminders', step - 1, 'remind_released_at', ARGV[3])
audit('reminder-retry', 'E-' .. ARGV[5] .. ' step ' .. ARGV[4])
return {'claimed', redis.call('HGETALL', KEYS[2])}
