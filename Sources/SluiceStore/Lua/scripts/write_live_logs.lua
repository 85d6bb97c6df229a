-- write_live_logs: keeps what a running job has printed so far, while it runs, so its page in the
-- console and `sluice job logs` can follow it (the worker sends it about once a second, when it
-- changed; the final logs come with the outcome, from complete_job or advance_flow).
--
-- KEYS: [1] the job hash, [2] the job's logs.
-- ARGV: [1] worker id, [2] delivery (fencing token), [3] the logs so far (capped, secrets redacted).
-- Guarantees: fenced like complete_job — only the worker holding the job's current delivery,
-- while the job is still running, writes; a write that arrives after the outcome, or from a
-- delivery that is no longer the job's, changes nothing. Returns 1 when written, else 0.
local fields = hash_fields(KEYS[1], JOB.state, JOB.worker, JOB.deliveries)
if fields.state == JOB_STATE.running and fields.worker == ARGV[1] and fields.deliveries == ARGV[2] then
  redis.call('SET', KEYS[2], ARGV[3])
  return 1
end
return 0
