-- enqueue_job: creates a job hash and makes it wait, in one step.
--
-- KEYS: [1] namespace, [2] the job hash; then the shared keys (`K`): the delayed set, the
--   scheduler wake list, the queue index.
-- ARGV: [1] id, [2] queue, [3] run-at in ms (0 = now), [4] a delivery's hashed idempotency key
-- (`''`: none), [5] how long it is remembered in ms, then field/value pairs for the hash.
-- Guarantees: an id is never reused (an existing hash is an error and nothing is written); the
-- job is on its queue with a wake-up token, or in the delayed set with the scheduler woken —
-- never both, never neither. A delivery whose key started a job within its window starts
-- nothing: the answer is `duplicate <that job's id>`; else the job is created and the key
-- remembers it, in the same step (two deliveries racing start one job). `created_at` is Redis's
-- clock. Returns the state.
local ns, key = KEYS[1], KEYS[2]
local delivery = ARGV[4] ~= '' and {key = ARGV[4], ttl = tonumber(ARGV[5])} or nil
local earlier = delivered_run(ns, delivery)
if earlier then return 'duplicate ' .. earlier end
if redis.call('EXISTS', key) == 1 then
  return redis.error_reply('EXISTS job ' .. ARGV[1] .. ' already exists')
end
local now = now_ms()
local run_at = tonumber(ARGV[3])
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
remember_delivery(ns, delivery, ARGV[1])
if run_at > now then
  redis.call('HSET', key, JOB.id, ARGV[1], JOB.queue, ARGV[2], JOB.created_at, now, JOB.deliveries, 0, JOB.state, JOB_STATE.scheduled,
    JOB.scheduled_for, run_at, unpack(fields))
  redis.call('ZADD', K.delayed, run_at, ARGV[1])
  redis.call('LPUSH', K.scheduler_wake, '1')
  redis.call('LTRIM', K.scheduler_wake, 0, 0)
  return JOB_STATE.scheduled
end
create_queued_job(ns, ARGV[1], ARGV[2], fields, now)
return JOB_STATE.queued
