-- outcome_put.lua: create or update an outcome.
-- KEYS[1] audit, KEYS[2] outcome hash, KEYS[3] outcome index (zset)
-- ARGV[1..3] audit, ARGV[4] mode "create"|"update", ARGV[5] key,
-- ARGV[6..] field, value pairs.
-- Returns 1 when written; 0 when the outcome exists (create) or is
-- missing (update).
local exists = redis.call('EXISTS', KEYS[2]) == 1
local create = ARGV[4] == 'create'
if exists == create then
  return 0
end
redis.call('HSET', KEYS[2], unpack(ARGV, 6))
redis.call('ZADD', KEYS[3], 0, ARGV[5])
audit('outcome.' .. ARGV[4], ARGV[5])
return 1
