-- promote_due_jobs: moves jobs whose run-at time has come from the delayed set to their queues.
--
-- KEYS: [1] namespace; then the shared keys (`K`): the delayed set, the queue index.
-- ARGV: [1] most jobs to move in this call. (A step of a `same_worker` flow goes to the private
-- queue of the worker its flow is pinned to, while that worker lives.)
-- Guarantees: due is judged on Redis's clock; each job is moved once even with several
-- schedulers running the script at the same moment; a due job is taken before the jobs that
-- became ready after it (it goes to the front of its queue, the earliest due first). Returns {moved, ms until the next due job
-- or -1 when none}.
local ns = KEYS[1]
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', K.delayed, '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
-- A due job has waited its turn already: it goes to the front of its queue, ahead of the jobs
-- that became ready after its due time. Pushed latest-due first, so the earliest is taken first.
for i = #due, 1, -1 do
  local id = due[i]
  redis.call('ZREM', K.delayed, id)
  local key = ns .. KEY.job .. id
  local fields = hash_fields(key, JOB.state, JOB.queue, JOB.flow_id)
  if fields.state == JOB_STATE.scheduled then
    redis.call('HSET', key, JOB.state, JOB_STATE.queued)
    local queue = fields.queue
    if fields.flow_id then
      queue = step_queue(queue, hash_fields(ns .. KEY.job .. fields.flow_id, JOB.same_worker, JOB.pinned_worker))
    end
    push_ready(ns, queue, id, true)
  end
end
local following = redis.call('ZRANGE', K.delayed, 0, 0, 'WITHSCORES')
local wait = -1
if following[2] then wait = math.max(0, tonumber(following[2]) - now) end
return {#due, wait}
