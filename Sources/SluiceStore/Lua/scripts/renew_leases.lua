-- renew_leases: a worker's heartbeat — marks the worker alive and extends the leases of the
-- jobs it still holds.
--
-- KEYS: [1] namespace, [2] the workers set, [3] this worker's hash, [4] the leases set.
-- ARGV: [1] worker id, [2] lease ms, [3] worker info JSON, then pairs of job id and delivery.
-- Guarantees: a lease is extended only while the job is `running` for this worker and this
-- delivery; the runs the worker no longer holds (canceled, handed back — possibly taken again as
-- a later delivery) are returned as flat `id, delivery` pairs so it can stop exactly those.
local ns = KEYS[1]
local worker, lease_ms = ARGV[1], tonumber(ARGV[2])
local now = now_ms()
redis.call('ZADD', KEYS[2], now, worker)
redis.call('HSET', KEYS[3], WORKER.info, ARGV[3], WORKER.seen_at, now)
redis.call('PEXPIRE', KEYS[3], lease_ms * 3)
local lost = {}
for i = 4, #ARGV, 2 do
  local id = ARGV[i]
  local fields = hash_fields(ns .. KEY.job .. id, JOB.state, JOB.worker, JOB.deliveries)
  if fields.state == JOB_STATE.running and fields.worker == worker and fields.deliveries == ARGV[i + 1] then
    redis.call('ZADD', KEYS[4], 'XX', now + lease_ms, id)
  else
    lost[#lost + 1] = id
    lost[#lost + 1] = ARGV[i + 1]
  end
end
return lost
