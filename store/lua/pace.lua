-- pace.lua: book one send under every rate limit given, shared by all
-- replicas (GCRA: each key holds the "theoretical arrival time" of the next
-- send, in ms; a send may go once that time is at most burst-1 intervals
-- ahead of now).
-- KEYS[i] one bucket per limit (same slot: the workspace hash tag)
-- ARGV[1] now (unix ms), then per limit: ARGV[2i] interval ms, ARGV[2i+1] burst.
-- Returns the ms to wait before sending (0: now). The slot is booked either
-- way, so callers that wait keep their order.
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or '0') or 0
  if tat < now then tat = now end
  local at = tat - (burst - 1) * interval
  if at - now > wait then wait = at - now end
  local next = tat + interval
  redis.call('SET', key, next, 'PX', next - now + 60000) -- a drained bucket lives a minute more
end
return wait
