-- audit_flows: finds a flow run that can never move again — running or suspended with nothing
-- queued, scheduled, running, waiting or parked for it, and no flow event pending — and fails it
-- with an error that says why (a flow must never stay running with nothing to move it).
--
-- KEYS: [1] namespace; then the shared keys (`K`): the active-flows index and the helpers' keys.
-- ARGV: [1] quiet period (ms): a flow is looked at when it was last looked at (or started) at
--   least that long ago; [2] how many flows at most this call; [3] retention seconds, [4]
--   finished-index cap; [5] a fresh job id (the event that tells a failed subflow's parent).
-- Guarantees: a flow is failed only when it was found with nothing alive twice, at least the
-- quiet period apart, with its frames and last event unchanged between — every transition is one
-- atomic script, so one look is already exact, the second guards against a rule missed here. At
-- most one flow is failed per call (one event id); ended or vanished flows leave the index.
-- Returns {flows looked at, id of the flow failed or false}.
local ns = KEYS[1]
local quiet, limit, retention, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = now_ms()

-- Whether job `id` can still move its flow: waiting in a queue or the delayed set, held by a worker
-- (a lost lease is the reaper's to hand back), parked at a gate, or — a subflow step — its subflow
-- still running. A container step waiting for its children is alive only through them.
local function alive(id)
  if not id then return false end
  local f = hash_fields(ns .. KEY.job .. id, JOB.state, JOB.waiting, JOB.subflow)
  local state = f.state
  if state == JOB_STATE.queued or state == JOB_STATE.scheduled or state == JOB_STATE.suspended then return true end
  if state ~= JOB_STATE.running then return false end
  if f.waiting ~= '1' then return true end
  if f.subflow then
    local sub = redis.call('HGET', ns .. KEY.job .. f.subflow, JOB.state)
    return sub ~= false and not FINAL_STATES[sub]
  end
  return false
end

local function gate_open(id)
  local state = id and redis.call('HGET', ns .. KEY.gate .. id, GATE.state)
  return state == GATE_STATE.pending or state == GATE_STATE.open
end

local looked = 0
for _, flow in ipairs(redis.call('ZRANGEBYSCORE', K.active_flows, '-inf', now - quiet, 'LIMIT', 0, limit)) do
  looked = looked + 1
  local fkey = flow_key(ns, flow)
  local f = hash_fields(fkey, JOB.state, JOB.last_event, JOB.stuck_check)
  if not f.state or FINAL_STATES[f.state] then
    redis.call('ZREM', K.active_flows, flow)
  else
    local records = redis.call('HGETALL', fkey .. KEY.frames_suffix)
    local live = alive(f.last_event)
    for i = 2, #records, 2 do
      if live then break end
      local r = cjson.decode(records[i])
      live = alive(r[FRAME.job]) or gate_open(r[FRAME.gate])
    end
    if live then
      if f.stuck_check then redis.call('HDEL', fkey, JOB.stuck_check) end
      redis.call('ZADD', K.active_flows, now, flow)
    else
      local check = redis.sha1hex(table.concat(records, '\n') .. '|' .. (f.last_event or ''))
      if f.stuck_check ~= check then
        -- Nothing alive: look once more after the quiet period.
        redis.call('HSET', fkey, JOB.stuck_check, check)
        redis.call('ZADD', K.active_flows, now, flow)
      else
        local why = 'the flow was stuck: nothing was queued, running or parked for it, and no event was pending'
        if f.last_event then
          local event = hash_fields(ns .. KEY.job .. f.last_event, JOB.state, JOB.error)
          if event.state then
            why = why .. '; its last flow event ' .. f.last_event .. ' ended ' .. event.state
            if event.error then why = why .. ': ' .. string.sub(event.error, 1, 2000) end
          end
        end
        redis.call('HDEL', fkey, JOB.stuck_check)
        finish_flow(ns, flow, {state = JOB_STATE.failure, error = why, event_id = ARGV[5]}, now, retention, cap)
        return {looked, flow}
      end
    end
  end
end
return {looked, false}
