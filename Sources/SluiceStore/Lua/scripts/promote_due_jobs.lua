-- promote_due_jobs: moves jobs whose run-at time has come from the delayed set to their queues.
--
-- KEYS: [1] namespace, [2] the delayed set.
-- ARGV: [1] most jobs to move in this call.
-- Guarantees: due is judged on Redis's clock; each job is moved once even with several
-- schedulers running the script at the same moment. Returns {moved, ms until the next due job
-- or -1 when none}.
local ns = KEYS[1]
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[2], id)
  local key = ns .. KEY.job .. id
  local fields = redis.call('HMGET', key, 'state', 'queue', 'priority')
  if fields[1] == 'scheduled' then
    redis.call('HSET', key, 'state', 'queued')
    push_ready(ns, fields[2], id, tonumber(fields[3] or '0') > 0)
  end
end
local following = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local wait = -1
if following[2] then wait = math.max(0, tonumber(following[2]) - now) end
return {#due, wait}
