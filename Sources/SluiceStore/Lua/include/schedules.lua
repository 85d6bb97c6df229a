-- Schedule helpers. A schedule `N` keeps its definition and where it stands in `P:schedule:N`
-- (a hash) and its recent runs in `P:schedule:N:runs` (a list of JSON entries, newest first,
-- capped); `P:schedules:due` holds the enabled schedules by next due time (ms, Redis's clock) and
-- `P:schedules:settle` the finished runs whose outcome a scheduler has yet to record.

-- Starts what a schedule's tick (or a failed run's on-failure handler) runs, as `spec` says — the
-- scheduler builds it (ScheduleStore.RunStart):
--   {job = {id, queue, fields}}             a script job, queued now;
--   {flow = <an advance_flow plan>}         a flow run: its `create` operation and first step;
--   {failed = {id, queue, fields, error}}   nothing could start (no script or flow at the path,
--                                           input the flow refuses): a job that failed at once
--                                           with the error, so the run has a job like any other.
-- Returns the id of the job or flow it created.
local function start_scheduled(ns, spec, now, retention, cap)
  if spec.job then
    create_queued_job(ns, spec.job.id, spec.job.queue, spec.job.fields, now)
    return spec.job.id
  elseif spec.flow then
    apply_ops(ns, spec.flow.flow, spec.flow.ops or {}, now, retention, cap)
    return spec.flow.flow
  end
  local failed = spec.failed
  redis.call('HSET', ns .. KEY.job .. failed.id, JOB.id, failed.id, JOB.queue, failed.queue, JOB.created_at, now, JOB.deliveries, 0,
    JOB.state, JOB_STATE.queued, JOB.error, failed.error, unpack(failed.fields))
  finish_job(ns, failed.id, JOB_STATE.failure, now, retention, cap)
  return failed.id
end
