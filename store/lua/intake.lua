-- intake.lua: create or update a request brought in from an ITSM or a
-- spreadsheet, closing, reopening and (re)tagging it as the item says.
-- KEYS[1] audit, KEYS[2] request hash, KEYS[3] history list,
-- KEYS[4] tag index (zset), KEYS[5] new-request index (zset),
-- KEYS[6] the new outcome's set of open refs and KEYS[7] its hash (both
-- present only when ARGV[11] is 'set'), and last, when ARGV[15] is not
-- empty, the run's hash of refs seen (ref -> ARGV[15], e.g. a CSV line).
-- ARGV[1..3] audit, ARGV[4] ref, ARGV[5] title, ARGV[6] requester,
-- ARGV[7] url (each '' keeps what is stored), ARGV[8] status 'open' |
-- 'closed' | '' (keep; open when new), ARGV[9] source, ARGV[10] opened,
-- unix ms ('' unknown), ARGV[11] outcome mode '' (keep) | 'set' | 'clear',
-- ARGV[12] outcome key, ARGV[13] prefix of the per-outcome sets,
-- ARGV[14] '1' for a dry run (check and report, write nothing but the
-- seen hash), ARGV[15] seen value, ARGV[16] unused, ARGV[17] the history
-- note of a (re)tag.
-- Returns {'created'|'updated'|'unchanged', previous outcome, outcome,
-- changed fields joined by ','}, {'duplicate', first seen value}, or
-- {'nooutcome'} / {'archived'} without changing anything.
--
-- A (re)tag writes exactly what tag.lua writes: the request's outcome, both
-- outcomes' open sets, a history entry, a tag-index entry and a 'tag' audit
-- entry with the same detail.
local ref, title, requester, url = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local status, source, opened = ARGV[8], ARGV[9], ARGV[10]
local mode, outcome, prefix = ARGV[11], ARGV[12], ARGV[13]
local dry, at, who = ARGV[14] == '1', ARGV[3], ARGV[2]
local seen = nil
if ARGV[15] ~= '' then seen = KEYS[#KEYS] end

if seen then
  local first = redis.call('HGET', seen, ref)
  if first then return {'duplicate', first} end
end
if mode == 'set' then
  local st = redis.call('HGET', KEYS[7], 'status')
  if not st then return {'nooutcome'} end
  if st == 'archived' then return {'archived'} end
end
if seen then
  -- The caller sets the hash's TTL once per batch.
  redis.call('HSET', seen, ref, ARGV[15])
end

local v = redis.call('HMGET', KEYS[2], 'ref', 'title', 'requester', 'url', 'status', 'source', 'opened', 'outcome')
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
  return {'unchanged', prev, prev, ''}
end
if dry then
  return {verdict, prev, target, table.concat(changed, ',')}
end

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
redis.call('HSET', KEYS[2], unpack(set))
local received = opened
if received == '' then received = at end
if not exists or (opened ~= '' and opened ~= cur.opened) then
  redis.call('ZADD', KEYS[5], received, ref)
end
if not exists then
  audit('intake.create', ref .. ' from ' .. source)
elseif #changed > 0 then
  audit('intake.update', ref .. ' from ' .. source .. ': ' .. table.concat(changed, ', '))
end

local open = (status == '' and (cur.status == 'open' or not exists)) or status == 'open'
if retag then
  local i = redis.call('RPUSH', KEYS[3],
    cjson.encode({from = prev, to = target, by = who, note = ARGV[17], at = at}))
  redis.call('ZADD', KEYS[4], at,
    cjson.encode({i = i, ref = ref, from = prev, to = target, by = who, at = at}))
  local function name(o)
    if o == '' then return 'none' end
    return o
  end
  audit('tag', ref .. ': ' .. name(prev) .. ' -> ' .. name(target))
end
if prev ~= '' and (retag or not open) then
  redis.call('SREM', prefix .. prev, ref)
end
if target ~= '' and open then
  redis.call('SADD', prefix .. target, ref)
end
return {verdict, prev, target, table.concat(changed, ',')}
