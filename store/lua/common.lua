-- common.lua: prepended to every script (see scripts.go).
-- audit appends one entry to the workspace's audit stream KEYS[1], capped
-- near ARGV[1] entries; ARGV[2] is the actor and ARGV[3] the time (unix ms).
local function audit(what, detail)
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
    'who', ARGV[2], 'what', what, 'at', ARGV[3], 'detail', detail)
end

-- may: true when need (space-separated roles) is absent or empty, or the
-- set at key (a user's roles) holds one of them.
local function may(key, need)
  if not need or need == '' then return true end
  for role in string.gmatch(need, '%S+') do
    if redis.call('SISMEMBER', key, role) == 1 then return true end
  end
  return false
end

-- settled is an escalation script's reply {status, record}, with the
-- escalation's outcome hash as a third element when oprefix (the outcome
-- hash key prefix, same slot) is set: the caller needs no second read.
-- mayOwn: may() for the actor (ARGV[2]) on escalation ekey, or the actor is
-- the escalation's assignee or the IT owner of its outcome (read from
-- oprefix .. outcome): they act on it without a separate grant.
-- An unknown escalation never passes on ownership, so a refusal tells
-- nothing of whether it exists.
local function mayOwn(rolesKey, need, ekey, oprefix)
  if may(rolesKey, need) then return true end
  if not oprefix or oprefix == '' then return false end
  if redis.call('HGET', ekey, 'assignee') == ARGV[2] then return true end
  local o = redis.call('HGET', ekey, 'outcome')
  if not o or o == '' then return false end
  local owner = redis.call('HGET', oprefix .. o, 'it_owner')
  return owner ~= false and owner ~= '' and owner == ARGV[2]
end

local function settled(status, key, oprefix)
  local rec = redis.call('HGETALL', key)
  if not oprefix or oprefix == '' then return {status, rec} end
  local o = redis.call('HGET', key, 'outcome')
  local orec = {}
  if o and o ~= '' then orec = redis.call('HGETALL', oprefix .. o) end
  return {status, rec, orec}
end

-- changeable guards a change to an escalation that is still open: nil when
-- the actor may (mayOwn) and it exists and is not resolved, else the reply
-- that refuses: {'forbidden'} first (so it tells nothing of the
-- escalation), {'notfound'}, or the record with 'resolved'.
local function changeable(rolesKey, need, ekey, oprefix)
  if not mayOwn(rolesKey, need, ekey, oprefix) then return {'forbidden'} end
  if redis.call('EXISTS', ekey) == 0 then return {'notfound'} end
  if redis.call('HGET', ekey, 'state') == 'resolved' then
    return settled('resolved', ekey, oprefix)
  end
  return nil
end

-- resolveEscalation resolves escalation n (hash ekey) by `by` at `at` with
-- note, moving it from the open index to the resolved one, and audits it
-- as action ("resolve" when nil; a withdrawal says "withdraw").
-- The caller has checked it is open or acknowledged.
local function resolveEscalation(ekey, n, by, at, note, resolvedIndex, openIndex, action)
  redis.call('HSET', ekey, 'state', 'resolved', 'resolved_by', by,
    'resolved_at', at, 'resolve_note', note)
  redis.call('ZADD', resolvedIndex, at, n)
  redis.call('ZREM', openIndex, n)
  audit(action or 'resolve', 'E-' .. n)
end

-- reopenEscalation opens resolved escalation n (hash ekey) again by `by`
-- at `at` with note: the same E-n, its ladder counting from at (its
-- acknowledgement, resolution, snooze and reminders forgotten), and
-- audits it. The caller has checked it may.
local function reopenEscalation(ekey, n, by, at, note, openIndex)
  redis.call('HDEL', ekey, 'ack_by', 'ack_at', 'ack_note', 'resolved_by', 'resolved_at', 'resolve_note', 'withdrawn',
    'snoozed_until', 'snoozed_by', 'snoozed_at', 'remind_failures', 'remind_released_at', 'reminded_at')
  redis.call('HSET', ekey, 'state', 'open', 'reminders', 0, 'reopened_by', by, 'reopened_at', at,
    'reopen_note', note)
  redis.call('HINCRBY', ekey, 'reopens', 1)
  redis.call('ZADD', openIndex, at, n)
  audit('reopen', 'E-' .. n)
end
