-- common.lua: prepended to every script (see scripts.go).
-- audit appends one entry to the workspace's audit stream KEYS[1], capped
-- near ARGV[1] entries; ARGV[2] is the actor and ARGV[3] the time (unix ms).
local function audit(what, detail)
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
    'who', ARGV[2], 'what', what, 'at', ARGV[3], 'detail', detail)
end
