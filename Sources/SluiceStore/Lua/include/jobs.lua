-- Job helpers shared by the store's scripts. Every function takes the namespace `ns`
-- (e.g. `{sluice}:`, the scripts' KEYS[1]) and builds the keys it derives from data (a job's
-- queue, a popped id) from it, so they share the script's hash slot.

-- What a table of fields read by hash_fields answers for a field it was not asked for: an error
-- (a misspelt name, or one left out of the read), never a silent nil.
local NOT_READ = {__index = function(_, name) error('hash_fields: the field ' .. tostring(name) .. ' was not read', 2) end}

-- A hash's fields by name (`false` for a missing one): `hash_fields(key, JOB.state, JOB.queue).state`.
local function hash_fields(key, ...)
  local names = {...}
  local values = redis.call('HMGET', key, unpack(names))
  local fields = {}
  for i, name in ipairs(names) do fields[name] = values[i] end
  return setmetatable(fields, NOT_READ)
end

-- Redis's clock in milliseconds: all deadlines are compared against it, never a host's clock.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The run a delivery already started (a sender's retry within the window), or false. `delivery`
-- is nil or {key = the hashed idempotency key, ttl = how long it is remembered, in ms}.
local function delivered_run(ns, delivery)
  if not delivery then return false end
  return redis.call('GET', ns .. KEY.delivery .. delivery.key) or false
end

-- Remembers, for the delivery's window, that it started run `id` (nothing without a delivery).
local function remember_delivery(ns, delivery, id)
  if delivery then redis.call('SET', ns .. KEY.delivery .. delivery.key, id, 'PX', delivery.ttl) end
end

-- Makes a queued job wait for a worker: pushes it on its queue with one wake-up token.
-- `front` puts it where workers take next (a job handed back, a flow event, a prioritized step).
-- A worker's private queue (`@<worker>`) is not listed among the queues.
local function push_ready(ns, queue, id, front)
  local list = ns .. KEY.queue .. queue
  if front then redis.call('RPUSH', list, id) else redis.call('LPUSH', list, id) end
  redis.call('LPUSH', list .. KEY.signal_suffix, '1')
  if string.sub(queue, 1, #KEY.private_queue) ~= KEY.private_queue then redis.call('SADD', K.queues, queue) end
end

-- Where a ready step of a flow waits: its queue — or, for a `same_worker` flow pinned to a worker
-- that is alive, that worker's private queue (`flow` holds the flow's `same_worker`, `pinned_worker`).
local function step_queue(queue, flow)
  if flow.same_worker == '1' and flow.pinned_worker and redis.call('ZSCORE', K.workers, flow.pinned_worker) then
    return KEY.private_queue .. flow.pinned_worker
  end
  return queue
end

-- Hands the jobs waiting on `worker`'s private queue back to their own queues (the worker is
-- gone or leaving): the flows pinned to it continue on any worker.
local function release_private_queue(ns, worker)
  local list = ns .. KEY.queue .. KEY.private_queue .. worker
  local id = redis.call('RPOP', list)
  while id do
    local queue = redis.call('HGET', ns .. KEY.job .. id, JOB.queue)
    if queue then push_ready(ns, queue, id, true) end
    id = redis.call('RPOP', list)
  end
  redis.call('DEL', list .. KEY.signal_suffix)
end

-- Creates job `id` from `fields` (field/value pairs besides id, queue, state and timestamps) and
-- queues it now: its hash, its place on its queue (the front for a prioritized job) and one
-- wake-up token.
local function create_queued_job(ns, id, queue, fields, now)
  local key = ns .. KEY.job .. id
  redis.call('HSET', key, JOB.id, id, JOB.queue, queue, JOB.created_at, now, JOB.deliveries, 0, JOB.state, JOB_STATE.queued, unpack(fields))
  local priority = 0
  for i = 1, #fields, 2 do if fields[i] == JOB.priority then priority = tonumber(fields[i + 1]) or 0 end end
  push_ready(ns, queue, id, priority > 0)
end

-- Wakes a scheduler sleeping on its timers (schedulers BLPOP this list); at most one token waits.
local function wake_scheduler(ns)
  local wake = K.scheduler_wake
  redis.call('LPUSH', wake, '1')
  redis.call('LTRIM', wake, 0, 0)
end

-- Takes the oldest queued job of `queue` for `worker` under a lease; nil when the queue is empty.
-- `signal_taken` says the caller already consumed this queue's wake-up token (BLPOP).
local function take_job(ns, queue, signal_taken, worker, lease_ms, now)
  local list = ns .. KEY.queue .. queue
  while true do
    local id = redis.call('RPOP', list)
    if not id then return nil end
    if not signal_taken then redis.call('LPOP', list .. KEY.signal_suffix) end
    signal_taken = false
    local key = ns .. KEY.job .. id
    -- Read whole once; the fields the take changes are changed in the reply too (one call
    -- fewer than reading the state, writing, then reading the whole hash).
    local job = redis.call('HGETALL', key)
    local at = {}
    for i = 1, #job, 2 do at[job[i]] = i + 1 end
    if at[JOB.state] and job[at[JOB.state]] == JOB_STATE.queued then
      local deliveries = (at[JOB.deliveries] and tonumber(job[at[JOB.deliveries]]) or 0) + 1
      local taken = {JOB.state, JOB_STATE.running, JOB.worker, worker, JOB.started_at, now, JOB.deliveries, deliveries}
      redis.call('HSET', key, unpack(taken))
      for i = 1, #taken, 2 do
        local value = tostring(taken[i + 1])
        if at[taken[i]] then job[at[taken[i]]] = value else job[#job + 1] = taken[i]; job[#job + 1] = value end
      end
      redis.call('ZADD', K.leases, now + lease_ms, id)
      return job
    end
  end
end

-- Tries each queue in order (the signaled one first) and returns the taken job's fields or nil.
-- `empty` (optional, a table kept across the calls of one script) notes the queues found empty,
-- which stay empty while the script runs: a script taking several jobs pops each only once.
local function take_first(ns, queues, signaled, worker, lease_ms, now, empty)
  empty = empty or {}
  if signaled > 0 then
    local job = take_job(ns, queues[signaled], true, worker, lease_ms, now)
    if job then return job end
    empty[queues[signaled]] = true
  end
  for i, queue in ipairs(queues) do
    if i ~= signaled and not empty[queue] then
      local job = take_job(ns, queue, false, worker, lease_ms, now)
      if job then return job end
      empty[queue] = true
    end
  end
  return nil
end

-- A finished run people start (not a flow's step or event) joins the finished runs by creation
-- time, and the narrower indexes the console's filters read: by final state (failures and
-- cancellations only: successes are most of the finished runs, whose index serves that filter, and
-- not indexing them keeps a call off every successful run), by exact path, by who started it.
-- Each keeps a run while it is retained: entries created longer ago than the retention period are
-- trimmed by the finishes on a millisecond divisible by 16 (one in 16 on average), and a path's or
-- a person's index expires a retention period after its last run, so one used once does not stay.
-- Without retention (kept forever) nothing is trimmed, as the runs themselves.
local function index_finished_run(ns, id, state, path, created_by, created_at, now, retention)
  local indexes = {K.runs_finished}
  if state ~= JOB_STATE.success then indexes[2] = ns .. KEY.runs_by_state .. state end
  local named = {}
  if path and path ~= '' then named[#named + 1] = ns .. KEY.runs_by_path .. path end
  if created_by and created_by ~= '' then named[#named + 1] = ns .. KEY.runs_by_creator .. created_by end
  for _, index in ipairs(named) do indexes[#indexes + 1] = index end
  for _, index in ipairs(indexes) do redis.call('ZADD', index, created_at, id) end
  if retention > 0 then
    for _, index in ipairs(named) do redis.call('EXPIRE', index, retention) end
    if now % 16 == 0 then
      for _, index in ipairs(indexes) do redis.call('ZREMRANGEBYSCORE', index, '-inf', now - retention * 1000) end
    end
  end
end

-- The job fields finish_job reads.
local FINISH_FIELDS = {JOB.queue, JOB.kind, JOB.flow_id, JOB.waiting, JOB.schedule, JOB.watchers, JOB.created_at, JOB.path, JOB.created_by}

-- Records a job's final state: timestamps, lease released, retention set, the per-queue
-- finished index (capped) and counters updated, anyone waiting on it woken. A flow step that
-- still counted as one of its flow's live steps stops counting. `written` (optional: a list of
-- field, value, field, value… — the result or error, the arguments as run) is written in the
-- same call as the state. `known` (optional) is the job's FINISH_FIELDS already read by the caller.
-- `bare`: the caller knows the job has no logs or calls keys (it ran no process and wrote no logs),
-- so only its hash is given its lifetime.
local function finish_job(ns, id, state, now, retention, cap, written, known, bare)
  local key = ns .. KEY.job .. id
  local fields = known or hash_fields(key, unpack(FINISH_FIELDS))
  local queue = fields.queue or DEFAULT_QUEUE
  local values = {JOB.state, state, JOB.finished_at, now}
  for _, value in ipairs(written or {}) do values[#values + 1] = value end
  redis.call('HSET', key, unpack(values))
  redis.call('ZREM', K.leases, id)
  if fields.kind == JOB_KIND.step and fields.flow_id and fields.waiting ~= '1' then
    redis.call('HINCRBY', ns .. KEY.job .. fields.flow_id, JOB.steps, -1)
  end
  if fields.waiting then redis.call('HDEL', key, JOB.waiting) end
  if retention > 0 then
    redis.call('EXPIRE', key, retention)
    if not bare then
      redis.call('EXPIRE', key .. KEY.logs_suffix, retention)
      redis.call('EXPIRE', key .. KEY.calls_suffix, retention)
    end
  end
  local index = ns .. KEY.finished .. queue
  redis.call('ZADD', index, now, id)
  -- Trimmed by the finishes on a millisecond divisible by 16 (one in 16 on average): one call
  -- fewer for most jobs; between trims the index may hold some more than `cap`.
  if now % 16 == 0 then redis.call('ZREMRANGEBYRANK', index, 0, -(cap + 1)) end
  -- A run people start (not a flow's step or event) joins the finished runs, by creation time,
  -- while it is retained; those created longer ago than the retention period are trimmed on the
  -- same sampled finishes.
  if fields.kind ~= JOB_KIND.step and fields.kind ~= JOB_KIND.flow_event then
    index_finished_run(ns, id, state, fields.path, fields.created_by, tonumber(fields.created_at or now), now, retention)
  end
  redis.call('HINCRBY', ns .. KEY.stats .. queue, state, 1)
  local bucket = ns .. KEY.throughput .. queue .. ':' .. math.floor(now / 60000)
  -- The minute's bucket gets its lifetime when its counter is made.
  if redis.call('HINCRBY', bucket, state, 1) == 1 then redis.call('EXPIRE', bucket, 7200) end
  local watchers = tonumber(fields.watchers or '0')
  if watchers > 0 then
    local done = key .. KEY.done_suffix
    for _ = 1, watchers do redis.call('LPUSH', done, state) end
    redis.call('EXPIRE', done, 600)
    redis.call('HDEL', key, JOB.watchers)
  end
  -- A schedule's run: the scheduler records its outcome (and starts its on-failure run).
  if fields.schedule then
    redis.call('ZADD', K.schedules_settle, now, id)
    wake_scheduler(ns)
  end
end

-- A failed job with retries left (`retry_delays`: a JSON array of ms to wait before each retry;
-- `attempt`: 1-based) waits in the delayed set for its next attempt instead of finishing: its
-- lease released, its error kept as `last_error`, the deliveries of earlier attempts noted in
-- `deliveries_before` (max_deliveries counts per attempt). Returns whether it did.
local function retry_later(ns, id, message, now)
  local key = ns .. KEY.job .. id
  local f = hash_fields(key, JOB.retry_delays, JOB.attempt, JOB.deliveries)
  if not f.retry_delays then return false end
  local attempt = tonumber(f.attempt or '1')
  -- A schedule that is not a JSON array of numbers (written by hand) means no retry.
  local ok, delays = pcall(cjson.decode, f.retry_delays)
  local delay = ok and type(delays) == 'table' and tonumber(delays[attempt])
  if not delay then return false end
  local at = now + tonumber(delay)
  redis.call('HSET', key, JOB.state, JOB_STATE.scheduled, JOB.scheduled_for, at, JOB.attempt, attempt + 1, JOB.last_error, message,
    JOB.deliveries_before, f.deliveries or '0')
  redis.call('HDEL', key, JOB.worker)
  redis.call('ZREM', K.leases, id)
  redis.call('ZADD', K.delayed, at, id)
  wake_scheduler(ns)
  return true
end

-- Cancels what job `id` started through its channel and left unfinished (calls.lua defines it).
local cancel_calls

-- Takes a not-yet-finished job out of wherever it waits (its queue with its token, the delayed
-- set, the leases) and finishes it as canceled with `reason`. Returns the state it was in, the
-- final state when it had already finished, or nil for an unknown id. Cascades only to the jobs
-- it started through its channel (its calls), which are canceled with it.
local function cancel_one(ns, id, reason, now, retention, cap)
  local key = ns .. KEY.job .. id
  local fields = hash_fields(key, JOB.state, JOB.queue)
  local state = fields.state
  if not state then return nil end
  if FINAL_STATES[state] then return state end
  if state == JOB_STATE.queued then
    local list = ns .. KEY.queue .. fields.queue
    if redis.call('LREM', list, 0, id) > 0 then redis.call('LPOP', list .. KEY.signal_suffix) end
  elseif state == JOB_STATE.scheduled then
    redis.call('ZREM', K.delayed, id)
  end
  redis.call('HSET', key, JOB.error, reason)
  finish_job(ns, id, JOB_STATE.canceled, now, retention, cap)
  cancel_calls(ns, id, 'canceled: the job that started it (' .. id .. ') was canceled', now, retention, cap)
  return state
end

-- Creates a `flow_event` job for `flow` at the front of `queue`: a worker turns it into the
-- flow's next move (a gate decided, a step lost, a container's children done, a subflow ended).
-- The flow remembers it as its `last_event` (what the flow audit asks after).
local function queue_flow_event(ns, flow, queue, event_id, args, now)
  redis.call('HSET', ns .. KEY.job .. event_id, JOB.id, event_id, JOB.kind, JOB_KIND.flow_event, JOB.state, JOB_STATE.queued, JOB.queue,
    queue, JOB.flow_id, flow, JOB.args, args, JOB.created_at, now, JOB.deliveries, 0, JOB.max_deliveries, DEFAULT_MAX_DELIVERIES)
  redis.call('HSET', ns .. KEY.job .. flow, JOB.last_event, event_id)
  push_ready(ns, queue, event_id, true)
end
