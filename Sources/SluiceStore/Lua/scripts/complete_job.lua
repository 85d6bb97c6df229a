-- complete_job: records a job's outcome and, in the same call, takes the worker's next job.
--
-- KEYS: [1] namespace, [2] the job hash, [3] the job's logs.
-- ARGV: [1] id, [2] worker id, [3] delivery (fencing token), [4] `success` or `failure`, [5] the
-- result JSON or the error text, [6] logs (already capped), [7] retention seconds, [8]
-- finished-index cap, [9] lease ms for the next job (0 = take none), [10...] queues.
-- Guarantees: fenced — only the worker holding the job's current delivery, while the job is
-- still `running`, can finish it; a late or duplicate report changes nothing and is answered
-- {0, next}. Otherwise {1, next}, where `next` is the next job's fields or false. A failure of a
-- job with retries left (`retry_delays`, a schedule's script run) does not finish it: it waits
-- in the delayed set for its next attempt (see retry_later).
local ns, key = KEYS[1], KEYS[2]
local id, worker = ARGV[1], ARGV[2]
local now = now_ms()
local applied = 0
local fields = hash_fields(key, JOB.state, JOB.worker, JOB.deliveries)
if fields.state == JOB_STATE.running and fields.worker == worker and fields.deliveries == ARGV[3] then
  if ARGV[6] ~= '' then redis.call('SET', KEYS[3], ARGV[6]) end
  if ARGV[4] == JOB_STATE.success then
    redis.call('HSET', key, JOB.result, ARGV[5])
    finish_job(ns, id, ARGV[4], now, tonumber(ARGV[7]), tonumber(ARGV[8]))
  elseif not retry_later(ns, id, ARGV[5], now) then
    redis.call('HSET', key, JOB.error, ARGV[5])
    finish_job(ns, id, ARGV[4], now, tonumber(ARGV[7]), tonumber(ARGV[8]))
  end
  applied = 1
end
local next_job = false
local lease_ms = tonumber(ARGV[9])
if lease_ms > 0 then
  local queues = {}
  for i = 10, #ARGV do queues[#queues + 1] = ARGV[i] end
  next_job = take_first(ns, queues, 0, worker, lease_ms, now) or false
end
return {applied, next_job}
