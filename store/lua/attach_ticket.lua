-- attach_ticket.lua: give an escalation raised without a ticket its ticket.
-- KEYS[1] audit, KEYS[2] escalation hash, KEYS[3] ref → latest escalation.
-- ARGV[1..3] audit (actor, time), ARGV[4] number, ARGV[5] ref,
-- ARGV[6] escalation hash prefix.
-- Returns {'notfound'}, {'hasticket', ref} (it has one already) or
-- {'other', n} (the request has another open escalation) without changing
-- anything, else {'ok', escalation hash}. An open escalation becomes the
-- request's, so escalating the ticket later joins it.
if redis.call('EXISTS', KEYS[2]) == 0 then return {'notfound'} end
local cur = redis.call('HGET', KEYS[2], 'ref')
if cur and cur ~= '' then return {'hasticket', cur} end
local state = redis.call('HGET', KEYS[2], 'state')
local open = state == 'open' or state == 'acknowledged'
if open then
  local other = redis.call('HGET', KEYS[3], ARGV[5])
  if other and other ~= ARGV[4] then
    local ostate = redis.call('HGET', ARGV[6] .. other, 'state')
    if ostate == 'open' or ostate == 'acknowledged' then return {'other', tonumber(other)} end
  end
end
redis.call('HSET', KEYS[2], 'ref', ARGV[5])
if open then redis.call('HSET', KEYS[3], ARGV[5], ARGV[4]) end
audit('attach', 'E-' .. ARGV[4] .. ' ' .. ARGV[5])
return {'ok', redis.call('HGETALL', KEYS[2])}
