-- reopen.lua: reopen a resolved escalation within a window: same E-n, the
-- ladder starts again from now.
-- KEYS[1] audit, KEYS[2] escalation hash, KEYS[3] open index, KEYS[4] the
-- actor's role set, KEYS[5] ref → latest escalation.
-- ARGV[1..3] audit (actor, time), ARGV[4] reason, ARGV[5] number, ARGV[6]
-- roles that may besides its raiser and assignee, ARGV[7] outcome hash
-- prefix, ARGV[8] the window in ms, ARGV[9] escalation hash prefix.
-- Returns {status, record[, outcome]}: "forbidden" (checked first),
-- "notfound", "notresolved", "toolate", {"other", m} (its ticket has another
-- open escalation, E-m; nothing changed) or "first". A resent call (same
-- actor and time) answers "first" again without writing.
local by = redis.call('HGET', KEYS[2], 'raised_by')
local asg = redis.call('HGET', KEYS[2], 'assignee')
if by ~= ARGV[2] and asg ~= ARGV[2] and not may(KEYS[4], ARGV[6]) then
  return {'forbidden'}
end
if redis.call('EXISTS', KEYS[2]) == 0 then return {'notfound'} end
if redis.call('HGET', KEYS[2], 'reopened_by') == ARGV[2] and redis.call('HGET', KEYS[2], 'reopened_at') == ARGV[3] then
  return settled('first', KEYS[2], ARGV[7])
end
if redis.call('HGET', KEYS[2], 'state') ~= 'resolved' then
  return settled('notresolved', KEYS[2], ARGV[7])
end
local at = tonumber(redis.call('HGET', KEYS[2], 'resolved_at') or '0') or 0
if tonumber(ARGV[3]) - at > tonumber(ARGV[8]) then
  return settled('toolate', KEYS[2], ARGV[7])
end
local ref = redis.call('HGET', KEYS[2], 'ref')
if ref and ref ~= '' then
  local other = redis.call('HGET', KEYS[5], ref)
  if other and other ~= ARGV[5] then
    local st = redis.call('HGET', ARGV[9] .. other, 'state')
    if st == 'open' or st == 'acknowledged' then return {'other', tonumber(other)} end
  end
  redis.call('HSET', KEYS[5], ref, ARGV[5])
end
reopenEscalation(KEYS[2], ARGV[5], ARGV[2], ARGV[3], ARGV[4], KEYS[3])
return settled('first', KEYS[2], ARGV[7])
