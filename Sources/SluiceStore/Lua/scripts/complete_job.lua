-- complete_job: records the outcomes of one or more jobs a worker ran and, in the same call,
-- takes the worker's next jobs (a batch: one round trip for every slot that finished meanwhile).
--
-- KEYS: [1] namespace, then for each report i (1-based) [2i] the job hash, [2i+1] the job's logs.
-- ARGV: [1] worker id, [2] retention seconds, [3] finished-index cap, [4] lease ms for the next
-- jobs, [5] how many next jobs to take (0 = none), [6] the number of queues Q, [7 .. 6+Q] the
-- queues in priority order, then five per report: id, delivery (fencing token), `success` or
-- `failure`, the result JSON or the error text, logs (already capped).
-- Guarantees: each report is fenced on its own — only the worker holding the job's current
-- delivery, while the job is still `running`, can finish it; a late or duplicate report changes
-- nothing and is answered 0 in its place (1 when applied). A report whose handling raises (a job
-- hash not as the code expects) is answered with the error's text in its place; the others go
-- on. A failure of a job with retries left (`retry_delays`, a schedule's script run) does not
-- finish it: it waits in the delayed set for its next attempt (see retry_later). Then up to
-- ARGV[5] queued jobs are taken under a lease, as fetch_job does. Returns {the answers in report
-- order, the taken jobs' fields}.
local ns = KEYS[1]
local worker = ARGV[1]
local retention, cap = tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()
local queue_count = tonumber(ARGV[6])
local first_report = 7 + queue_count
local applied = {}
-- One report; returns 1 when applied, 0 when stale.
local function apply_report(i)
  local a = first_report + i * 5
  local id, key, logs_key = ARGV[a], KEYS[2 + i * 2], KEYS[3 + i * 2]
  local state, payload, logs = ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  -- The fence's fields and finish_job's, in one read.
  local fields = hash_fields(key, JOB.state, JOB.worker, JOB.deliveries, unpack(FINISH_FIELDS))
  if not (fields.state == JOB_STATE.running and fields.worker == worker and fields.deliveries == ARGV[a + 1]) then return 0 end
  if logs ~= '' then redis.call('SET', logs_key, logs) end
  -- An identity job runs no process: without logs it has no logs or calls keys.
  local bare = fields.kind == JOB_KIND.identity and logs == ''
  if state == JOB_STATE.success then
    finish_job(ns, id, state, now, retention, cap, {JOB.result, payload}, fields, bare)
  elseif not retry_later(ns, id, payload, now) then
    finish_job(ns, id, state, now, retention, cap, {JOB.error, payload}, fields, bare)
  end
  return 1
end
for i = 0, (#ARGV - first_report + 1) / 5 - 1 do
  -- An error in one report (a job hash not as the code expects) answers that report with its
  -- message and leaves the others' alone: a batch is never failed by one job.
  local ok, done = pcall(apply_report, i)
  if ok then
    applied[#applied + 1] = done
  else
    applied[#applied + 1] = type(done) == 'table' and (done.err or 'a script error') or tostring(done)
  end
end
local taken = {}
local lease_ms, wanted = tonumber(ARGV[4]), tonumber(ARGV[5])
if wanted > 0 then
  local queues, empty = {}, {}
  for i = 7, 6 + queue_count do queues[#queues + 1] = ARGV[i] end
  for _ = 1, wanted do
    local job = take_first(ns, queues, 0, worker, lease_ms, now, empty)
    if not job then break end
    taken[#taken + 1] = job
  end
end
return {applied, taken}
