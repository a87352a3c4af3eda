-- escalate_request.lua: raise an escalation on a request, routed by the
-- request's current outcome, reading and writing in one atomic step.
-- KEYS[1] audit, KEYS[2] counter, KEYS[3] raised index, KEYS[4] open index,
-- KEYS[5] the raiser's index, KEYS[6] the request hash, KEYS[7] this call's
-- operation key (a resent call answers with the first run's escalation).
-- ARGV[1..3] audit (actor = raiser, time = raise time),
-- ARGV[4] escalation hash prefix, ARGV[5] ref, ARGV[6] outcome hash prefix,
-- ARGV[7..] field, value pairs of the escalation.
-- Returns {'untagged'}, {'nooutcome', key}, {'archived', key} without
-- changing anything, or {'ok', n, outcome hash as HGETALL}.
local done = redis.call('GET', KEYS[7])
if done then
  local e = redis.call('HGET', ARGV[4] .. done, 'outcome')
  return {'ok', tonumber(done), redis.call('HGETALL', ARGV[6] .. e)}
end
local outcome = redis.call('HGET', KEYS[6], 'outcome')
if not outcome or outcome == '' then return {'untagged'} end
local okey = ARGV[6] .. outcome
local status = redis.call('HGET', okey, 'status')
if not status then return {'nooutcome', outcome} end
if status == 'archived' then return {'archived', outcome} end
local n = redis.call('INCR', KEYS[2])
redis.call('HSET', ARGV[4] .. n, 'n', n, 'state', 'open', 'outcome', outcome, unpack(ARGV, 7))
for i = 3, 5 do
  redis.call('ZADD', KEYS[i], ARGV[3], n)
end
redis.call('SET', KEYS[7], n, 'EX', 600)
audit('escalate', 'E-' .. n .. ' ' .. ARGV[5])
return {'ok', n, redis.call('HGETALL', okey)}
