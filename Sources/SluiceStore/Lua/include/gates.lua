-- Gate helpers. A gate lives in `P:gate:<step id>` (a hash), with its approvals in
-- `P:gate:<id>:approvals` (a list of JSON entries, in arrival order), its rejections in
-- `P:gate:<id>:rejections`, and the identities that decided in `P:gate:<id>:deciders` (a hash,
-- identity → `approve` or `reject`: each identity records one decision). Open gates are in
-- `P:gates:deadlines` (id → deadline ms); a flow's gates are in `P:job:<flow>:gates`.

-- Closes an open or pending gate with `outcome` and queues the `flow_event` job that lets a
-- worker move the flow on. Exactly-once rests on the callers: they close only a gate that
-- accepts decisions, inside one script.
local function close_gate(ns, gate_id, outcome, by, reason, event_id, now)
  local gate_key = ns .. KEY.gate .. gate_id
  local flow_id = redis.call('HGET', gate_key, GATE.flow_id)
  redis.call('HSET', gate_key, GATE.state, outcome, GATE.closed_at, now)
  if by then redis.call('HSET', gate_key, GATE.decided_by, by) end
  redis.call('ZREM', K.gate_deadlines, gate_id)
  local flow_key = ns .. KEY.job .. flow_id
  if redis.call('HGET', flow_key, JOB.state) == JOB_STATE.suspended then redis.call('HSET', flow_key, JOB.state, JOB_STATE.running) end
  local entries = redis.call('LRANGE', gate_key .. KEY.approvals_suffix, 0, -1)
  local args = '{"event":"gate_decided","gate":' .. cjson.encode(gate_id) .. ',"outcome":' .. cjson.encode(outcome)
    .. ',"by":' .. cjson.encode(by or '') .. ',"reason":' .. cjson.encode(reason or '')
    .. ',"entries":[' .. table.concat(entries, ',') .. ']}'
  local queue = redis.call('HGET', flow_key, JOB.queue) or DEFAULT_QUEUE
  queue_flow_event(ns, flow_id, queue, event_id, args, now)
end

-- Closes a gate that still accepts decisions without deciding it (its step failed, its flow
-- ended or was canceled): its links die.
local function shut_gate(ns, gate_id, state, now)
  local gate_key = ns .. KEY.gate .. gate_id
  if GATE_ACCEPTING[redis.call('HGET', gate_key, GATE.state) or ''] then
    redis.call('HSET', gate_key, GATE.state, state, GATE.closed_at, now)
    redis.call('ZREM', K.gate_deadlines, gate_id)
  end
end

-- Sets the gate keys of a finished flow to expire with it, closing any still open.
local function expire_gates(ns, flow_key, retention, now)
  local gates = flow_key .. KEY.gates_suffix
  for _, gate_id in ipairs(redis.call('SMEMBERS', gates)) do
    shut_gate(ns, gate_id, GATE_STATE.closed, now)
    if retention > 0 then
      local gate_key = ns .. KEY.gate .. gate_id
      for _, key in ipairs({gate_key, gate_key .. KEY.approvals_suffix, gate_key .. KEY.deciders_suffix, gate_key .. KEY.rejections_suffix}) do
        redis.call('EXPIRE', key, retention)
      end
    end
  end
  if retention > 0 then redis.call('EXPIRE', gates, retention) end
end
