-- delete_job: removes a finished job for good, before its retention period would — a script or
-- identity job, or a flow run with its steps and gates.
--
-- KEYS: [1] namespace, [2] the job hash; then the shared keys (`K`): the finished runs. The
-- finished runs' indexes by state, path and creator are derived from the namespace (`KEY`).
-- ARGV: [1] id.
-- Guarantees: only a job in a final state (success, failure, canceled) is deleted, and never a
-- flow's step or flow event (they belong to their flow: delete the flow). Its hash, logs,
-- waiters' list and calls set go and it leaves its queue's finished index and the finished runs (and
-- their indexes by state, path and creator); a flow run takes its
-- results, steps (their hashes, logs and finished-index entries), frames and gates (hashes,
-- approvals, rejections, deciders) with it. Counters and throughput buckets stay: they count what
-- happened. Returns the state it was in, {'refused', why}, or false for an unknown id.
local ns, key, id = KEYS[1], KEYS[2], ARGV[1]
local f = hash_fields(key, JOB.state, JOB.kind, JOB.queue, JOB.path, JOB.created_by)
if not f.state then return false end
if not FINAL_STATES[f.state] then return {'refused', 'the job has not finished (' .. f.state .. '): cancel it first'} end
if f.kind == JOB_KIND.step or f.kind == JOB_KIND.flow_event then return {'refused', 'a ' .. f.kind .. ' belongs to its flow: delete the flow'} end
local function drop_job(job_key, job_id, queue)
  redis.call('DEL', job_key, job_key .. KEY.logs_suffix, job_key .. KEY.done_suffix, job_key .. KEY.calls_suffix)
  if queue then redis.call('ZREM', ns .. KEY.finished .. queue, job_id) end
end
if f.kind == JOB_KIND.flow then
  for _, step in ipairs(redis.call('ZRANGE', key .. KEY.steps_suffix, 0, -1)) do
    local step_key = ns .. KEY.job .. step
    drop_job(step_key, step, redis.call('HGET', step_key, JOB.queue))
  end
  for _, gate in ipairs(redis.call('SMEMBERS', key .. KEY.gates_suffix)) do
    local gate_key = ns .. KEY.gate .. gate
    redis.call('DEL', gate_key, gate_key .. KEY.approvals_suffix, gate_key .. KEY.rejections_suffix, gate_key .. KEY.deciders_suffix)
  end
  redis.call('DEL', key .. KEY.results_suffix, key .. KEY.steps_suffix, key .. KEY.frames_suffix, key .. KEY.gates_suffix)
end
drop_job(key, id, f.queue)
redis.call('ZREM', K.runs_finished, id)
redis.call('ZREM', ns .. KEY.runs_by_state .. f.state, id)
if f.path then redis.call('ZREM', ns .. KEY.runs_by_path .. f.path, id) end
if f.created_by then redis.call('ZREM', ns .. KEY.runs_by_creator .. f.created_by, id) end
return f.state
