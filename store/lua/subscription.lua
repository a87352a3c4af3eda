-- subscription.lua: subscribe, change or unsubscribe a channel's digest
-- subscription.
-- KEYS[1] audit, KEYS[2] subscriptions hash (channel -> JSON), KEYS[3] (change
-- only) each channel's last change, so a resent change answers as it did
-- ARGV[1..3] audit, ARGV[4] "subscribe"|"change"|"unsubscribe", ARGV[5] channel.
-- subscribe: ARGV[6] JSON, stored as is (replacing any subscription).
--   Returns 1 when the channel was new.
-- unsubscribe: returns 1 when the channel was removed.
-- change: ARGV[6] zone ("" keeps it), ARGV[7] zone of a new subscription,
--   ARGV[8] "1" to replace the outcomes with the JSON array ARGV[9] (empty:
--   all). A subscribed channel keeps its subscriber and time ("by", "at");
--   a new one (or one whose JSON is damaged) gets the actor and time of the
--   change and ARGV[7].
--   Nothing is written or audited when nothing changes.
--   Returns {created 0|1, changed 0|1, previous JSON or "", current JSON}.
local mode, ch = ARGV[4], ARGV[5]
if mode == 'subscribe' then
  local created = redis.call('HSET', KEYS[2], ch, ARGV[6])
  audit(mode, ch)
  return created
end
if mode == 'unsubscribe' then
  if redis.call('HDEL', KEYS[2], ch) == 0 then
    return 0
  end
  audit(mode, ch)
  return 1
end

local function same(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do
    if a[i] ~= b[i] then return false end
  end
  return true
end

local old = redis.call('HGET', KEYS[2], ch)
local sub
if old then
  local ok, dec = pcall(cjson.decode, old)
  if ok and type(dec) == 'table' then sub = dec end
end
local created = not old
local changed = not sub
if not sub then
  sub = {tz = ARGV[7], by = ARGV[2], at = tonumber(ARGV[3])}
end
if ARGV[6] ~= '' and ARGV[6] ~= sub.tz then
  sub.tz = ARGV[6]
  changed = true
end
if ARGV[8] == '1' then
  local list = cjson.decode(ARGV[9])
  if type(sub.outcomes) ~= 'table' then sub.outcomes = {} end
  if not same(sub.outcomes, list) then changed = true end
  sub.outcomes = list
end
if type(sub.outcomes) == 'table' and #sub.outcomes == 0 then
  sub.outcomes = nil
end
local request = ARGV[6] .. '|' .. ARGV[8] .. '|' .. ARGV[9] -- what this change asked for
local body = old or ''
if changed then
  body = cjson.encode(sub)
  redis.call('HSET', KEYS[2], ch, body)
  audit('subscribe', ch)
  redis.call('HSET', KEYS[3], ch, cjson.encode({by = ARGV[2], at = ARGV[3], req = request,
    created = created and 1 or 0, before = old or '', after = body}))
elseif old then
  -- This very change sent again (go-redis resends a script whose reply
  -- was lost): answer as the first run did, not "nothing changed".
  local last = redis.call('HGET', KEYS[3], ch)
  if last then
    local l = cjson.decode(last)
    if l.by == ARGV[2] and l.at == ARGV[3] and l.req == request and l.after == old then
      return {l.created, 1, l.before, old}
    end
  end
end
return {created and 1 or 0, changed and 1 or 0, old or '', body}
