-- subscription.lua: subscribe or unsubscribe a channel to the digest.
-- KEYS[1] audit, KEYS[2] subscriptions hash (channel -> JSON)
-- ARGV[1..3] audit, ARGV[4] "subscribe"|"unsubscribe", ARGV[5] channel,
-- ARGV[6] JSON (subscribe only).
-- Returns 1 when the channel was new (subscribe) or removed (unsubscribe).
local changed
if ARGV[4] == 'subscribe' then
  changed = redis.call('HSET', KEYS[2], ARGV[5], ARGV[6])
else
  changed = redis.call('HDEL', KEYS[2], ARGV[5])
  if changed == 0 then
    return 0
  end
end
audit(ARGV[4], ARGV[5])
return changed
