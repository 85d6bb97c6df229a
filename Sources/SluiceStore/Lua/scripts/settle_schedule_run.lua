-- settle_schedule_run: records how a schedule's run ended and, when it failed for good and the
-- run names an on-failure script or flow, starts that — once.
--
-- KEYS: [1] namespace, [2] the runs list of the run's schedule; then the shared keys (`K`): the
--   settle set and those its helpers use.
-- ARGV: [1] the plan, JSON: `job`, the finished run's id; `on_failure`, what to start if it failed
-- (see start_scheduled; absent when there is nothing to run); `on_failure_error`, why the
-- on-failure handler could not start, if it could not; `retention`, `cap`.
-- Guarantees: a run is settled once, whichever scheduler calls — it leaves the settle set in the
-- same step, and a run not in the set is left alone. The on-failure handler starts only for a run
-- that ended in `failure` (after its retries: a job waiting for its next attempt has not
-- finished, so it is not in the set). The run's entry in the runs list, if still there, gets its
-- `outcome`, `finished_at`, `attempts` and `on_failure_job` (or `on_failure_error`). Returns the
-- on-failure job id, 1 when settled without one, or nil when it was settled already.
local ns, settle, runs = KEYS[1], K.schedules_settle, KEYS[2]
local plan = cjson.decode(ARGV[1])
if redis.call('ZREM', settle, plan.job) == 0 then return false end
local key = ns .. KEY.job .. plan.job
local f = hash_fields(key, JOB.state, JOB.finished_at, JOB.attempt)
local state = f.state or 'expired'
local started = false
if state == JOB_STATE.failure and plan.on_failure then
  started = start_scheduled(ns, plan.on_failure, now_ms(), tonumber(plan.retention), tonumber(plan.cap))
  redis.call('HSET', key, JOB.on_failure_job, started)
end
for i, text in ipairs(redis.call('LRANGE', runs, 0, -1)) do
  local entry = cjson.decode(text)
  if entry.job == plan.job and entry.kind ~= SCHEDULE_RUN_KIND.skipped then
    entry.outcome = state
    entry.finished_at = tonumber(f.finished_at)
    entry.attempts = tonumber(f.attempt or '1')
    if started then entry.on_failure_job = started end
    if state == JOB_STATE.failure and plan.on_failure_error then entry.on_failure_error = plan.on_failure_error end
    redis.call('LSET', runs, i - 1, cjson.encode(entry))
    break
  end
end
return started or 1
