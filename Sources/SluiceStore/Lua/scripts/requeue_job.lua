-- requeue_job: a worker shutting down hands back a job it will not finish.
--
-- KEYS: [1] namespace, [2] the job hash, [3] the leases set.
-- ARGV: [1] id, [2] worker id, [3] delivery (fencing token).
-- Guarantees: fenced like complete_job; the job goes back to the front of its queue and the
-- hand-back does not count as a delivery. Returns 1 when handed back, 0 when stale.
local ns, key, id = KEYS[1], KEYS[2], ARGV[1]
local fields = redis.call('HMGET', key, 'state', 'worker', 'deliveries', 'queue')
if fields[1] ~= 'running' or fields[2] ~= ARGV[2] or fields[3] ~= ARGV[3] then return 0 end
redis.call('ZREM', KEYS[3], id)
redis.call('HSET', key, 'state', 'queued', 'deliveries', tonumber(fields[3]) - 1)
redis.call('HDEL', key, 'worker')
push_ready(ns, fields[4], id, true)
return 1
