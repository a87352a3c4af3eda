-- escalate_request.lua: raise an escalation on a request, routed by the
-- request's current outcome, or join the request's open escalation,
-- reading and writing in one atomic step.
-- KEYS[1] audit, KEYS[2] counter, KEYS[3] raised index, KEYS[4] open index,
-- KEYS[5] the raiser's index, KEYS[6] the request hash, KEYS[7] this call's
-- operation key (a resent call answers with the first run's result),
-- KEYS[8] ref → latest escalation (a hash; the link exists for tickets the
-- store has never seen as requests too).
-- ARGV[1..3] audit (actor = raiser, time = raise time),
-- ARGV[4] escalation hash prefix, ARGV[5] ref, ARGV[6] outcome hash prefix,
-- ARGV[7] the most raisers an escalation names (MaxAlsoRaised),
-- ARGV[8] the outcome asked for ('' routes by the request's outcome),
-- ARGV[9..] field, value pairs of the escalation. An empty ref (ARGV[5])
-- raises an escalation with no ticket: it needs ARGV[8] and joins nothing.
-- Returns {'untagged'}, {'nooutcome', key}, {'archived', key} without
-- changing anything; {'ok', n, outcome hash} for a new escalation;
-- {'joined', n, outcome hash, escalation hash} when the caller joined the
-- request's open escalation, {'already', …} when they had raised it already.
local f = {}
for i = 9, #ARGV, 2 do f[ARGV[i]] = ARGV[i + 1] end
local ref = ARGV[5]

-- join adds the caller to open escalation n (once) and answers.
local function join(n, replay)
  local ekey = ARGV[4] .. n
  local also = {}
  local raw = redis.call('HGET', ekey, 'also')
  if raw then
    local ok, dec = pcall(cjson.decode, raw)
    if ok and type(dec) == 'table' then also = dec end
  end
  local known = redis.call('HGET', ekey, 'raised_by') == f.raised_by
  for _, a in ipairs(also) do
    if a.by == f.raised_by then known = true end
  end
  if not known and not replay then
    if #also < tonumber(ARGV[7]) then
      table.insert(also, {by = f.raised_by, where = f.raised_in, at = tonumber(f.raised_at), reason = f.reason})
      redis.call('HSET', ekey, 'also', cjson.encode(also))
    end
    redis.call('ZADD', KEYS[5], ARGV[3], n)
    redis.call('SET', KEYS[7], 'j' .. n, 'EX', 600)
    audit('join', 'E-' .. n .. ' ' .. ARGV[5])
  end
  local status = 'joined'
  if known and not replay then status = 'already' end
  local outcome = redis.call('HGET', ekey, 'outcome') or ''
  return {status, tonumber(n), redis.call('HGETALL', ARGV[6] .. outcome), redis.call('HGETALL', ekey)}
end

local done = redis.call('GET', KEYS[7])
if done then
  if string.sub(done, 1, 1) == 'j' then return join(string.sub(done, 2), true) end
  local e = redis.call('HGET', ARGV[4] .. done, 'outcome')
  return {'ok', tonumber(done), redis.call('HGETALL', ARGV[6] .. e)}
end
if ref ~= '' then
  local cur = redis.call('HGET', KEYS[8], ref)
  if cur then
    local state = redis.call('HGET', ARGV[4] .. cur, 'state')
    if state == 'open' or state == 'acknowledged' then return join(cur, false) end
  end
end
local outcome = ARGV[8]
if outcome == '' and ref ~= '' then outcome = redis.call('HGET', KEYS[6], 'outcome') end
if not outcome or outcome == '' then return {'untagged'} end
local okey = ARGV[6] .. outcome
local status = redis.call('HGET', okey, 'status')
if not status then return {'nooutcome', outcome} end
if status == 'archived' then return {'archived', outcome} end
local n = redis.call('INCR', KEYS[2])
redis.call('HSET', ARGV[4] .. n, 'n', n, 'state', 'open', 'outcome', outcome, unpack(ARGV, 9))
for i = 3, 5 do
  redis.call('ZADD', KEYS[i], ARGV[3], n)
end
if ref ~= '' then redis.call('HSET', KEYS[8], ref, n) end
redis.call('SET', KEYS[7], n, 'EX', 600)
audit('escalate', 'E-' .. n .. ' ' .. ARGV[5])
return {'ok', n, redis.call('HGETALL', okey)}
