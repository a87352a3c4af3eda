-- raise_post.lua: remember where a raise to leadership was posted, so the
-- post can be kept current.
-- KEYS[1] escalation hash. ARGV[1] channel, ARGV[2] message id, ARGV[3]
-- the most posts kept.
-- Returns 0 when the escalation does not exist, else 1. Not audited:
-- bookkeeping of the bot's own messages.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local posts = {}
local raw = redis.call('HGET', KEYS[1], 'raise_posts')
if raw then
  local ok, dec = pcall(cjson.decode, raw)
  if ok and type(dec) == 'table' then posts = dec end
end
for _, p in ipairs(posts) do
  if p.channel == ARGV[1] and p.id == ARGV[2] then return 1 end
end
if #posts < tonumber(ARGV[3]) then
  table.insert(posts, {channel = ARGV[1], id = ARGV[2]})
  redis.call('HSET', KEYS[1], 'raise_posts', cjson.encode(posts))
end
return 1
