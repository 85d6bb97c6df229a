-- reclaim_expired_leases: hands back the jobs of workers that stopped renewing their leases.
--
-- KEYS: [1] namespace, [2] the workers set, [3] `P:leases:watched`; then the shared keys (`K`):
--   the leases set and those its helpers use.
-- ARGV: [1] most jobs to handle in this call, [2] retention seconds, [3] finished-index cap,
-- [4] how long (ms) a silent worker stays listed as live, [5] stall threshold (ms), [6] the most
-- time (ms) a stall gives back, [7...] fresh job ids, used for the flow events below.
-- A lease only runs down while someone watches it: every call notes Redis's time in
-- `P:leases:watched`. When no call ran for longer than the stall threshold, Redis itself was
-- stalled (CLIENT PAUSE, DEBUG SLEEP, a slow fork or disk) — no worker could renew, nobody could
-- reap — or every scheduler was away. Either way silence then proves no worker dead, so this
-- call hands nothing back: it gives every lease the unwatched time back (at most ARGV[6]), and
-- live workers renew as soon as they reach Redis again. The cost: after every scheduler was
-- down, a dead worker's jobs come back up to ARGV[6] later.
-- Guarantees: each expired lease is handled once, whichever scheduler runs the script: the job
-- goes back to the front of its queue, or — when it was delivered max_deliveries times already —
-- fails with an error saying so. A flow step failed that way queues a `flow_event` job
-- (`step_lost`) so a worker moves its flow on (retry, failure module or failure). A job with
-- retries left (see retry_later) waits for its next attempt instead, counted as handed back;
-- deliveries count per attempt. A worker silent for longer than ARGV[4] is dropped from the
-- workers set, and the steps waiting on its private queue go back to their own queues (the
-- `same_worker` flows pinned to it continue elsewhere). Returns {handed_back, failed, ms given
-- back after a stall}.
local ns = KEYS[1]
local now = now_ms()
local watched = KEYS[3]
local last = tonumber(redis.call('GET', watched) or '')
redis.call('SET', watched, now)
if last and now - last > tonumber(ARGV[5]) then
  local given = math.min(now - last, tonumber(ARGV[6]))
  local leases = redis.call('ZRANGE', K.leases, 0, -1, 'WITHSCORES')
  for i = 1, #leases, 2 do
    redis.call('ZADD', K.leases, tonumber(leases[i + 1]) + given, leases[i])
  end
  return {0, 0, given}
end
local expired = redis.call('ZRANGEBYSCORE', K.leases, '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local handed_back, failed = 0, 0
for _, id in ipairs(expired) do
  if not ARGV[7 + failed] then break end -- no id left for a flow event: the rest waits for the next call
  local key = ns .. KEY.job .. id
  local fields = hash_fields(key, JOB.state, JOB.deliveries, JOB.max_deliveries, JOB.queue, JOB.worker, JOB.kind, JOB.flow_id,
    JOB.deliveries_before)
  local limit = fields.max_deliveries or tostring(DEFAULT_MAX_DELIVERIES)
  local delivered = tonumber(fields.deliveries or '0') - tonumber(fields.deliveries_before or '0')
  if fields.state ~= JOB_STATE.running then
    redis.call('ZREM', K.leases, id)
  elseif delivered >= tonumber(limit) then
    local message = 'worker lost: the job was delivered ' .. delivered ..
      ' times without finishing (max_deliveries ' .. limit .. '); last worker ' .. (fields.worker or '?')
    if retry_later(ns, id, message, now) then
      handed_back = handed_back + 1
    else
      redis.call('HSET', key, JOB.error, message)
      finish_job(ns, id, JOB_STATE.failure, now, tonumber(ARGV[2]), tonumber(ARGV[3]))
      failed = failed + 1
      local event_id = ARGV[6 + failed]
      if fields.kind == JOB_KIND.step and fields.flow_id and event_id then
        queue_flow_event(ns, fields.flow_id, fields.queue, event_id, cjson.encode({event = 'step_lost', step_id = id, error = message}), now)
      end
    end
  else
    redis.call('ZREM', K.leases, id)
    redis.call('HSET', key, JOB.state, JOB_STATE.queued, JOB.lost_by, fields.worker or '')
    redis.call('HDEL', key, JOB.worker)
    push_ready(ns, fields.queue, id, true)
    handed_back = handed_back + 1
  end
end
local silent = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[4]))
for _, worker in ipairs(silent) do
  redis.call('ZREM', KEYS[2], worker)
  redis.call('DEL', ns .. KEY.worker .. worker)
  release_private_queue(ns, worker)
end
return {handed_back, failed, 0}
