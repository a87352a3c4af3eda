-- set_message.lua: record where an escalation's card or announcement is.
-- KEYS[1] escalation hash
-- ARGV field, value pairs.
-- Returns 0 when the escalation does not exist, else 1. Not audited: it is
-- bookkeeping of the bot's own messages, not a change anyone made.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
