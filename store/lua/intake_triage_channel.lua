-- intake_triage_channel.lua: set or clear the workspace's triage channel,
-- where the weekly triage of untagged requests goes instead of each
-- outcome's IT channel.
-- KEYS[1] audit, KEYS[2] the workspace's triage settings hash.
-- ARGV[1..3] audit, ARGV[4] channel ('' clears).
-- Returns the previous channel ('' when none).
local prev = redis.call('HGET', KEYS[2], 'channel') or ''
if ARGV[4] == '' then
  redis.call('DEL', KEYS[2])
  audit('triage.channel', 'none (was ' .. prev .. ')')
else
  redis.call('HSET', KEYS[2], 'channel', ARGV[4], 'by', ARGV[2], 'at', ARGV[3])
  audit('triage.channel', ARGV[4])
end
return prev
