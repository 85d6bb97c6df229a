-- requeue_job: a worker shutting down hands back a job it will not finish.
--
-- KEYS: [1] namespace, [2] the job hash; then the shared keys (`K`): the leases set, the queue index.
-- ARGV: [1] id, [2] worker id, [3] delivery (fencing token).
-- Guarantees: fenced like complete_job; the job goes back to the front of its queue and the
-- hand-back does not count as a delivery. Returns 1 when handed back, 0 when stale.
local ns, key, id = KEYS[1], KEYS[2], ARGV[1]
local fields = hash_fields(key, JOB.state, JOB.worker, JOB.deliveries, JOB.queue)
if fields.state ~= JOB_STATE.running or fields.worker ~= ARGV[2] or fields.deliveries ~= ARGV[3] then return 0 end
redis.call('ZREM', K.leases, id)
redis.call('HSET', key, JOB.state, JOB_STATE.queued, JOB.deliveries, tonumber(fields.deliveries) - 1)
redis.call('HDEL', key, JOB.worker)
push_ready(ns, fields.queue, id, true)
return 1
