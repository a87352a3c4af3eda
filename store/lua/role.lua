-- role.lua: grant or revoke a role.
-- KEYS[1] audit, KEYS[2] the role's user set, KEYS[3] the user's role set,
-- KEYS[4] the set of roles that have members
-- ARGV[1..3] audit, ARGV[4] "grant"|"revoke", ARGV[5] user, ARGV[6] role.
-- Returns 1 when something changed, else 0.
local user, role = ARGV[5], ARGV[6]
if ARGV[4] == 'grant' then
  if redis.call('SADD', KEYS[2], user) == 0 then
    return 0
  end
  redis.call('SADD', KEYS[3], role)
  redis.call('SADD', KEYS[4], role)
else
  if redis.call('SREM', KEYS[2], user) == 0 then
    return 0
  end
  redis.call('SREM', KEYS[3], role)
  if redis.call('SCARD', KEYS[2]) == 0 then
    redis.call('SREM', KEYS[4], role)
  end
end
audit(ARGV[4], user .. ' ' .. role)
return 1
