-- tag.lua: (re)tag or untag a request, creating it when new.
-- KEYS[1] audit, KEYS[2] request hash, KEYS[3] history list,
-- KEYS[4] tag index (zset), KEYS[5] new-request index (zset),
-- KEYS[6] the new outcome's set of open refs, KEYS[7] the new outcome's hash
-- (both absent when untagging).
-- ARGV[1..3] audit, ARGV[4] ref, ARGV[5] outcome ("" untags), ARGV[6] note,
-- ARGV[7] prefix of the per-outcome sets (the previous outcome's set is
-- derived from it; it shares the hash tag).
-- A call identical to the last change of the request (same outcome, actor,
-- time and note: a resend) changes nothing; so does untagging a request
-- that has no outcome. Untagging an unknown ticket records it untagged,
-- with no history entry.
-- Returns {'ok', previous outcome ("" when none)}, or {'nooutcome'} /
-- {'archived'} without changing anything when the outcome cannot be tagged.
local ref, outcome, note, at, who = ARGV[4], ARGV[5], ARGV[6], ARGV[3], ARGV[2]
if outcome ~= '' then
  local status = redis.call('HGET', KEYS[7], 'status')
  if not status then return {'nooutcome'} end
  if status == 'archived' then return {'archived'} end
end
local prev = ''
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('HSET', KEYS[2], 'ref', ref, 'status', 'open', 'source', 'chat',
    'first_seen', at)
  redis.call('ZADD', KEYS[5], at, ref)
  if outcome == '' then
    -- "none" for a ticket the bot has not seen: record the request, with
    -- no outcome (it counts as drift); there is no change to keep.
    redis.call('HSET', KEYS[2], 'outcome', '', 'updated', at)
    audit('tag', ref .. ': recorded with no outcome')
    return {'ok', ''}
  end
else
  prev = redis.call('HGET', KEYS[2], 'outcome') or ''
  if prev == '' and outcome == '' then
    return {'ok', ''} -- already untagged: nothing changes
  end
  if prev == outcome then
    -- The same call sent again (go-redis resends a script whose reply was
    -- lost): the last history entry is this very change. Write nothing.
    local last = redis.call('LINDEX', KEYS[3], -1)
    if last then
      local h = cjson.decode(last)
      if h.to == outcome and h.by == who and h.at == at and h.note == note then
        return {'ok', prev}
      end
    end
  end
end
redis.call('HSET', KEYS[2], 'outcome', outcome, 'updated', at)
if prev ~= '' then
  redis.call('SREM', ARGV[7] .. prev, ref)
end
if outcome ~= '' and redis.call('HGET', KEYS[2], 'status') == 'open' then
  redis.call('SADD', KEYS[6], ref)
end
local i = redis.call('RPUSH', KEYS[3],
  cjson.encode({from = prev, to = outcome, by = who, note = note, at = at}))
redis.call('ZADD', KEYS[4], at,
  cjson.encode({i = i, ref = ref, from = prev, to = outcome, by = who, at = at}))
local function name(o)
  if o == '' then return 'none' end
  return o
end
audit('tag', ref .. ': ' .. name(prev) .. ' -> ' .. name(outcome))
return {'ok', prev}
