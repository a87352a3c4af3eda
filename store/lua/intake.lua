-- intake.lua: create or update requests brought in from an ITSM or a
-- spreadsheet, closing, reopening and (re)tagging each as its item says. One
-- call carries a chunk of items, run one after the other exactly as if each
-- were its own script (a chunk saves the per-call cost of a script run).
-- KEYS[1] audit, KEYS[2] tag index (zset), KEYS[3] new-request index
-- (zset), KEYS[4] the run's hash of refs seen (ref -> the item's seen
-- value, e.g. a CSV line; present only when ARGV[6] is '1'), then per item
-- its request hash and history list, followed, when the item's mode is
-- 'set', by the new outcome's set of open refs and its hash.
-- ARGV[1..3] audit (ARGV[2] is set to each item's actor in turn),
-- ARGV[4] prefix of the per-outcome sets, ARGV[5] '1' for a dry run (check
-- and report, write nothing but the seen hash), ARGV[6] '1' when the call
-- is part of an import run, ARGV[7] the history note of a (re)tag,
-- ARGV[8] the ref → latest escalation hash, ARGV[9] the escalation hash
-- prefix, ARGV[10] the open and ARGV[11] the resolved escalation index,
-- ARGV[12] the reopen window in ms, ARGV[13] the escalation actor prefix
-- ('itsm:'), then ITEM_ARGS per item: actor, ref, title, requester, url
-- (each '' keeps what is stored), status 'open' | 'closed' | '' (keep; open
-- when new), source, opened (unix ms, '' unknown), outcome mode '' (keep) |
-- 'set' | 'clear', outcome key, seen value, escalation note.
-- Returns one reply per item: {'created'|'updated'|'unchanged', previous
-- outcome, outcome, changed fields joined by ',', escalation change
-- ('resolved' | 'reopened' | ''), escalation number}, {'duplicate', first
-- seen value}, or {'nooutcome'} / {'archived'} without changing anything.
--
-- The ITSM closes the loop: an item that closes its ticket (closed, and
-- the request was open or new) resolves the ticket's open or acknowledged
-- escalation, as ITSM actor prefix .. source; one that reopens it (open,
-- and the request was closed) reopens its resolved escalation (not a
-- withdrawn one) within the window. Both in the same atomic step as the
-- request's change; an item that changes no status touches no escalation,
-- so the same item sent twice does nothing the second time.
--
-- A (re)tag writes exactly what tag.lua writes: the request's outcome, both
-- outcomes' open sets, a history entry, a tag-index entry and a 'tag' audit
-- entry with the same detail.
local ITEM_ARGS = 12
local FIRST_ITEM = 14
local prefix, dry, note, at = ARGV[4], ARGV[5] == '1', ARGV[7], ARGV[3]
local escByRef, escPrefix, openIndex, resolvedIndex = ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local reopenWindow, itsmPrefix = tonumber(ARGV[12]), ARGV[13]
local tagIndex, newIndex = KEYS[2], KEYS[3]
local seen = nil
local k = 4
if ARGV[6] == '1' then
  seen = KEYS[4]
  k = 5
end

local function name(o)
  if o == '' then return 'none' end
  return o
end

-- followEscalation resolves (closing) or reopens ref's latest escalation
-- as the ticket's status changed; returns the change ('' for none) and the
-- escalation's number.
local function followEscalation(ref, closing, source, escNote)
  local n = redis.call('HGET', escByRef, ref)
  if not n then return '', 0 end
  local ekey = escPrefix .. n
  local v = redis.call('HMGET', ekey, 'state', 'withdrawn', 'resolved_at')
  local state, withdrawn, resolvedAt = v[1], v[2], tonumber(v[3] or '0') or 0
  if closing then
    if state ~= 'open' and state ~= 'acknowledged' then return '', 0 end
    resolveEscalation(ekey, n, itsmPrefix .. source, at, escNote, resolvedIndex, openIndex)
    return 'resolved', tonumber(n)
  end
  if state ~= 'resolved' or withdrawn == '1' or tonumber(at) - resolvedAt > reopenWindow then
    return '', 0
  end
  reopenEscalation(ekey, n, itsmPrefix .. source, at, escNote, openIndex)
  return 'reopened', tonumber(n)
end

-- one runs the item whose keys start at KEYS[kb] and arguments at ARGV[ab].
local function one(kb, ab)
  local who, ref, title, requester, url = ARGV[ab], ARGV[ab + 1], ARGV[ab + 2], ARGV[ab + 3], ARGV[ab + 4]
  local status, source, opened = ARGV[ab + 5], ARGV[ab + 6], ARGV[ab + 7]
  local mode, outcome, seenValue, escNote = ARGV[ab + 8], ARGV[ab + 9], ARGV[ab + 10], ARGV[ab + 11]
  local reqKey, histKey = KEYS[kb], KEYS[kb + 1]
  ARGV[2] = who -- audit() names ARGV[2]

  -- Seen first in one step (the caller sets the hash's TTL once per
  -- batch); an item refused for its outcome is forgotten again.
  if seen and redis.call('HSETNX', seen, ref, seenValue) == 0 then
    local first = redis.call('HGET', seen, ref)
    -- The same row sent again (go-redis resends a batch whose reply was
    -- lost) is no duplicate of itself: go on, it comes back unchanged.
    if first ~= seenValue then
      return {'duplicate', first}
    end
  end
  if mode == 'set' then
    local st = redis.call('HGET', KEYS[kb + 3], 'status')
    if not st or st == 'archived' then
      if seen then redis.call('HDEL', seen, ref) end
      if not st then return {'nooutcome'} end
      return {'archived'}
    end
  end

  local v = redis.call('HMGET', reqKey, 'ref', 'title', 'requester', 'url', 'status', 'source', 'opened', 'outcome')
  local exists = v[1] ~= false
  local cur = {title = v[2] or '', requester = v[3] or '', url = v[4] or '', status = v[5] or '',
    source = v[6] or '', opened = v[7] or '', outcome = v[8] or ''}
  if exists and cur.status == '' then cur.status = 'open' end

  -- The fields this item changes, as field, value pairs and names.
  local set, changed = {}, {}
  local function change(field, value)
    if value ~= '' and value ~= cur[field] then
      set[#set + 1] = field
      set[#set + 1] = value
      changed[#changed + 1] = field
    end
  end
  change('title', title)
  change('requester', requester)
  change('url', url)
  change('status', status)
  change('opened', opened)
  -- A request first seen in chat takes the source of the first item that
  -- brings something new; an item that only repeats what is stored (an
  -- export imported back) leaves the source, and so the updated time the
  -- retention clock runs from, as they are.
  if (cur.source == '' or cur.source == 'chat') and (not exists or #changed > 0) then
    change('source', source)
  end

  local prev = cur.outcome
  local target = prev
  if mode == 'set' then target = outcome elseif mode == 'clear' then target = '' end
  local retag = target ~= prev
  local verdict = 'updated'
  if not exists then verdict = 'created' end
  if exists and #changed == 0 and not retag then
    return {'unchanged', prev, prev, '', '', 0}
  end
  if dry then
    return {verdict, prev, target, table.concat(changed, ','), '', 0}
  end
  -- The ticket closed (a new one may arrive closed) or reopened.
  local closing = status == 'closed' and cur.status ~= 'closed'
  local reopening = status == 'open' and cur.status == 'closed'

  if not exists then
    set[#set + 1] = 'ref'
    set[#set + 1] = ref
    set[#set + 1] = 'first_seen'
    set[#set + 1] = at
    if status == '' then
      set[#set + 1] = 'status'
      set[#set + 1] = 'open'
    end
  end
  set[#set + 1] = 'updated'
  set[#set + 1] = at
  set[#set + 1] = 'outcome'
  set[#set + 1] = target
  redis.call('HSET', reqKey, unpack(set))
  local received = opened
  if received == '' then received = at end
  if not exists or (opened ~= '' and opened ~= cur.opened) then
    redis.call('ZADD', newIndex, received, ref)
  end
  if not exists then
    audit('intake.create', ref .. ' from ' .. source)
  elseif #changed > 0 then
    audit('intake.update', ref .. ' from ' .. source .. ': ' .. table.concat(changed, ', '))
  end

  local open = (status == '' and (cur.status == 'open' or not exists)) or status == 'open'
  if retag then
    local i = redis.call('RPUSH', histKey,
      cjson.encode({from = prev, to = target, by = who, note = note, at = at}))
    redis.call('ZADD', tagIndex, at,
      cjson.encode({i = i, ref = ref, from = prev, to = target, by = who, at = at}))
    audit('tag', ref .. ': ' .. name(prev) .. ' -> ' .. name(target))
  end
  if prev ~= '' and (retag or not open) then
    redis.call('SREM', prefix .. prev, ref)
  end
  if target ~= '' and open then
    redis.call('SADD', prefix .. target, ref)
  end
  local escChange, escN = '', 0
  if closing or reopening then
    escChange, escN = followEscalation(ref, closing, source, escNote)
  end
  return {verdict, prev, target, table.concat(changed, ','), escChange, escN}
end

local out = {}
for ab = FIRST_ITEM, #ARGV, ITEM_ARGS do
  out[#out + 1] = one(k, ab)
  if ARGV[ab + 8] == 'set' then k = k + 4 else k = k + 2 end
end
return out
