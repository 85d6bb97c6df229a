-- start_call: a running job starts a script job through its channel (`run_script_by_path`,
-- `runScriptByHashAsync`…), in one step.
--
-- KEYS: [1] namespace, [2] the new job's hash; then the shared keys (`K`): the delayed set, the
--   scheduler wake list, the queue index.
-- ARGV: [1] the call, JSON: {parent, delivery, max_depth, max_total} (calls.lua), [2] the new
--   job's id, [3] its queue, [4] run-at in ms (0 = now), then field/value pairs for its hash.
-- Guarantees: nothing is written unless the caller still runs the delivery that asks (a canceled,
-- timed-out or handed-back job starts nothing) and the call stays within the depth and per-chain
-- limits; then the job is created and made to wait exactly as enqueue_job does (on its queue with
-- a wake-up token, or in the delayed set with the scheduler woken), linked both ways (`called_by`
-- on it, its id in the caller's `:calls` set) and counted in its chain — all or nothing. An id is
-- never reused. Returns {'ok', state} or {'refused', why}.
local ns, key = KEYS[1], KEYS[2]
local call = cjson.decode(ARGV[1])
local id, queue = ARGV[2], ARGV[3]
local refused = call_refusal(ns, call)
if refused then return {'refused', refused} end
if redis.call('EXISTS', key) == 1 then return redis.error_reply('EXISTS job ' .. id .. ' already exists') end
local now = now_ms()
local run_at = tonumber(ARGV[4])
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
local state = JOB_STATE.queued
if run_at > now then
  redis.call('HSET', key, JOB.id, id, JOB.queue, queue, JOB.created_at, now, JOB.deliveries, 0, JOB.state, JOB_STATE.scheduled,
    JOB.scheduled_for, run_at, unpack(fields))
  redis.call('ZADD', K.delayed, run_at, id)
  wake_scheduler(ns)
  state = JOB_STATE.scheduled
else
  create_queued_job(ns, id, queue, fields, now)
end
link_call(ns, call, id)
return {'ok', state}
