-- Flow helpers: the named operations `advance_flow` applies, also used by `cancel_job` and
-- `reclaim_expired_leases`. A flow run `X` keeps, besides its job hash `P:job:X`:
--   P:job:X:results   hash  result JSON by field: the module id at the top level, `<frame>/<id>` inside loops and branches
--   P:job:X:steps     zset  its step job ids, scored by creation order
--   P:job:X:frames    hash  the live frames and containers, each a small JSON record:
--       frame `r`, `f`, `r.2.17`…  {c = cursor, a = attempt, j = current job, s = run|park|wait, g = gate, r = resume, e = error}
--       container `r.2`…           {kind, n, par, launched, done, order?, tpl?, tpls?, prev?, max?, job, stop?, failed?}
--       (prev: an empty child's result, only in a container that may have one)
--   P:job:X:gates     set   its gate ids
--   P:job:X:items:<container>    hash  child index → element (for loops)
--   P:job:X:collect:<container>  hash  child index → the child's result
--   P:job:X:kids:<container>     set   the children running now
--   P:job:X:tpl:<container>      hash  child index → the first step of each branch (branches only)

local function flow_key(ns, flow) return ns .. KEY.job .. flow end

local function get_record(frames, id)
  local text = redis.call('HGET', frames, id)
  if not text then return nil end
  return cjson.decode(text)
end

-- The reads a step's scope request names (`want` = {fields, records, results, items}), made for
-- `flow` and answered in FlowStore.read's order: HMGET of the flow, of its frames, of its results,
-- then each loop element's HGET — so the worker begins the step without a read of its own.
local function read_scope(ns, flow, want)
  local fkey = flow_key(ns, flow)
  local replies = {redis.call('HMGET', fkey, unpack(want.fields))}
  if #want.records > 0 then replies[#replies + 1] = redis.call('HMGET', fkey .. KEY.frames_suffix, unpack(want.records)) end
  if #want.results > 0 then replies[#replies + 1] = redis.call('HMGET', fkey .. KEY.results_suffix, unpack(want.results)) end
  for _, item in ipairs(want.items) do
    replies[#replies + 1] = redis.call('HGET', fkey .. KEY.items_infix .. item[1], item[2])
  end
  return replies
end

local function put_record(frames, id, record) redis.call('HSET', frames, id, cjson.encode(record)) end

-- Creates a step job of `flow` and makes it wait (queued now, or in the delayed set after
-- `delay_ms`), and points its frame at it. What every step inherits from its flow (queue,
-- creator, environment, max deliveries, flow version) is copied here; `step.fields` holds what
-- the module says (module_id, module_type, path, script_hash, language, priority).
local function create_step(ns, flow, step, now)
  local fkey = flow_key(ns, flow)
  local f = hash_fields(fkey, JOB.queue, JOB.created_by, JOB.env, JOB.max_deliveries, JOB.flow_hash, JOB.path, JOB.state, JOB.same_worker,
    JOB.pinned_worker)
  local queue = f.queue or DEFAULT_QUEUE
  local key = ns .. KEY.job .. step.id
  -- The step's fields as the plan gives them (module_id, module_type, priority...), read here
  -- rather than back from the hash: the whole job is one HSET.
  local given = {}
  for i = 1, #step.fields, 2 do given[step.fields[i]] = step.fields[i + 1] end
  local delay = tonumber(step.delay_ms or 0)
  local fields = {JOB.id, step.id, JOB.kind, JOB_KIND.step, JOB.flow_id, flow, JOB.queue, queue, JOB.created_at, now, JOB.deliveries, 0,
    JOB.frame, step.frame, JOB.cursor, step.cursor, JOB.attempt, step.attempt, JOB.max_deliveries, f.max_deliveries or DEFAULT_MAX_DELIVERIES}
  for _, value in ipairs(step.fields) do fields[#fields + 1] = value end
  if f.created_by then fields[#fields + 1] = JOB.created_by; fields[#fields + 1] = f.created_by end
  if f.env then fields[#fields + 1] = JOB.env; fields[#fields + 1] = f.env end
  if f.flow_hash then fields[#fields + 1] = JOB.flow_hash; fields[#fields + 1] = f.flow_hash end
  if f.path and given[JOB.module_type] == 'rawscript' then
    fields[#fields + 1] = JOB.path; fields[#fields + 1] = f.path .. '/' .. given[JOB.module_id]
  end
  if delay > 0 then
    fields[#fields + 1] = JOB.state; fields[#fields + 1] = JOB_STATE.scheduled
    fields[#fields + 1] = JOB.scheduled_for; fields[#fields + 1] = now + delay
  else
    fields[#fields + 1] = JOB.state; fields[#fields + 1] = JOB_STATE.queued
  end
  redis.call('HSET', key, unpack(fields))
  local steps = fkey .. KEY.steps_suffix
  redis.call('ZADD', steps, redis.call('ZCARD', steps) + 1, step.id)
  local frames = fkey .. KEY.frames_suffix
  local record = get_record(frames, step.frame) or {}
  record[FRAME.cursor] = step.cursor
  record[FRAME.attempt] = step.attempt
  record[FRAME.job] = step.id
  record[FRAME.status] = FRAME_STATUS.run
  record[FRAME.gate] = nil
  put_record(frames, step.frame, record)
  redis.call('HINCRBY', fkey, JOB.steps, 1)
  if f.state == JOB_STATE.suspended then redis.call('HSET', fkey, JOB.state, JOB_STATE.running) end
  if delay > 0 then
    redis.call('ZADD', K.delayed, now + delay, step.id)
    wake_scheduler(ns)
  else
    push_ready(ns, step_queue(queue, f), step.id, tonumber(given[JOB.priority] or '0') > 0)
  end
end

-- The queue of a flow's events.
local function flow_queue(ns, flow)
  return redis.call('HGET', flow_key(ns, flow), JOB.queue) or DEFAULT_QUEUE
end

-- Deletes a container's keys and record.
local function drop_container(ns, flow, cid)
  local fkey = flow_key(ns, flow)
  redis.call('DEL', fkey .. KEY.items_infix .. cid, fkey .. KEY.collect_infix .. cid, fkey .. KEY.kids_infix .. cid,
    fkey .. KEY.templates_infix .. cid)
  redis.call('HDEL', fkey .. KEY.frames_suffix, cid)
end

local cancel_flow

-- Cancels everything a frame is running — its current job (and that job's gate and subflow),
-- and, when it waits on a container, every child frame — and forgets the frame.
local function cancel_frame(ns, flow, frame_id, reason, now, retention, cap)
  local fkey = flow_key(ns, flow)
  local frames = fkey .. KEY.frames_suffix
  local r = get_record(frames, frame_id)
  if not r then return end
  local job = r[FRAME.job]
  if job then
    local subflow = redis.call('HGET', ns .. KEY.job .. job, JOB.subflow)
    cancel_one(ns, job, reason, now, retention, cap)
    shut_gate(ns, job, GATE_STATE.canceled, now)
    if subflow then cancel_flow(ns, subflow, reason, now, retention, cap, nil) end
  end
  if r[FRAME.gate] then shut_gate(ns, r[FRAME.gate], GATE_STATE.canceled, now) end
  if r[FRAME.status] == FRAME_STATUS.wait then
    local cid = frame_id .. '.' .. r[FRAME.cursor]
    for _, k in ipairs(redis.call('SMEMBERS', fkey .. KEY.kids_infix .. cid)) do
      cancel_frame(ns, flow, cid .. '.' .. k, reason, now, retention, cap)
    end
    drop_container(ns, flow, cid)
  end
  redis.call('HDEL', frames, frame_id)
end

-- Ends a flow run: its final state and result or error, anything still running canceled, its
-- keys set to expire, and — for a subflow — an event that moves its parent on (`event_id`).
local function finish_flow(ns, flow, spec, now, retention, cap)
  local fkey = flow_key(ns, flow)
  if FINAL_STATES[redis.call('HGET', fkey, JOB.state) or ''] then return end
  if spec.result then redis.call('HSET', fkey, JOB.result, spec.result) end
  if spec.error then redis.call('HSET', fkey, JOB.error, spec.error) end
  if spec.skipped then redis.call('HSET', fkey, JOB.skipped, '1') end
  local reason = spec.error or 'the flow ended'
  cancel_frame(ns, flow, 'r', reason, now, retention, cap)
  cancel_frame(ns, flow, 'f', reason, now, retention, cap)
  redis.call('DEL', fkey .. KEY.frames_suffix)
  redis.call('ZREM', K.active_flows, flow)
  finish_job(ns, flow, spec.state, now, retention, cap)
  if retention > 0 then
    redis.call('EXPIRE', fkey .. KEY.results_suffix, retention)
    redis.call('EXPIRE', fkey .. KEY.steps_suffix, retention)
  end
  expire_gates(ns, fkey, retention, now)
  local parent = hash_fields(fkey, JOB.parent_flow, JOB.parent_job)
  if parent.parent_flow and parent.parent_job and spec.event_id then
    local args = cjson.encode({event = 'subflow_done', job = parent.parent_job, subflow = flow, state = spec.state,
      result = spec.result or cjson.null, error = spec.error or cjson.null})
    queue_flow_event(ns, parent.parent_flow, flow_queue(ns, parent.parent_flow), spec.event_id, args, now)
  end
end

-- Cancels a flow run that has not finished, with everything it runs. Returns the state it was in.
cancel_flow = function(ns, flow, reason, now, retention, cap, event_id)
  local fkey = flow_key(ns, flow)
  local state = redis.call('HGET', fkey, JOB.state)
  if not state or FINAL_STATES[state] then return state end
  finish_flow(ns, flow, {state = JOB_STATE.canceled, error = reason, event_id = event_id}, now, retention, cap)
  return state
end

-- Starts children of container `cid` (record `c`) while fewer than `c.par` run and some remain.
-- A child whose module list is empty completes at once with the container's previous result.
local function fill_container(ns, flow, cid, c, ids, now)
  local fkey = flow_key(ns, flow)
  while not c[CONTAINER.stop] and not c[CONTAINER.failed] and c[CONTAINER.launched] < c[CONTAINER.count] and (c[CONTAINER.launched] - c[CONTAINER.done]) < c[CONTAINER.parallelism] do
    local k = c[CONTAINER.order] and c[CONTAINER.order][c[CONTAINER.launched] + 1] or c[CONTAINER.launched]
    local template = c[CONTAINER.template]
    if c[CONTAINER.templates] then
      local text = redis.call('HGET', fkey .. KEY.templates_infix .. cid, k)
      template = text and cjson.decode(text) or nil
    end
    c[CONTAINER.launched] = c[CONTAINER.launched] + 1
    if template == nil or template == cjson.null or template.empty then
      redis.call('HSET', fkey .. KEY.collect_infix .. cid, k, c[CONTAINER.previous])
      c[CONTAINER.done] = c[CONTAINER.done] + 1
    else
      local id = table.remove(ids, 1)
      if not id then
        c[CONTAINER.launched] = c[CONTAINER.launched] - 1
        break
      end
      create_step(ns, flow, {id = id, frame = cid .. '.' .. k, cursor = 0, attempt = 1, delay_ms = 0, fields = template.fields}, now)
      redis.call('SADD', fkey .. KEY.kids_infix .. cid, k)
    end
  end
end

-- Queues the event that lets a worker finish container `cid` once its children are done.
local function complete_container(ns, flow, cid, c, event_id, now)
  c[CONTAINER.closed] = true
  local args = cjson.encode({event = 'container_done', container = cid, job = c[CONTAINER.job]})
  queue_flow_event(ns, flow, flow_queue(ns, flow), event_id, args, now)
end

-- Opens a container: its record, its loop's elements, and its first children.
local function open_container(ns, flow, op, now)
  local fkey = flow_key(ns, flow)
  local c = op.record
  c[CONTAINER.launched] = 0
  c[CONTAINER.done] = 0
  if op.items then
    local items = fkey .. KEY.items_infix .. op.container
    for i, item in ipairs(op.items) do redis.call('HSET', items, i - 1, item) end
  end
  if op.templates then
    -- Kept apart from the record, which every join reads and writes.
    local templates = fkey .. KEY.templates_infix .. op.container
    for i, template in ipairs(op.templates) do
      if template ~= cjson.null and not template.empty then redis.call('HSET', templates, i - 1, cjson.encode(template)) end
    end
    c[CONTAINER.templates] = true
  end
  local frames = fkey .. KEY.frames_suffix
  local parent = get_record(frames, op.frame) or {}
  parent[FRAME.status] = FRAME_STATUS.wait
  put_record(frames, op.frame, parent)
  fill_container(ns, flow, op.container, c, op.ids, now)
  if c[CONTAINER.launched] >= c[CONTAINER.count] and redis.call('SCARD', fkey .. KEY.kids_infix .. op.container) == 0 then
    complete_container(ns, flow, op.container, c, op.event_id, now)
  end
  put_record(frames, op.container, c)
end

-- A child frame of a container ended: its result is collected (or the container fails or
-- stops), the next children start, and when none is left running the container completes.
local function join_child(ns, flow, op, now, retention, cap)
  local fkey = flow_key(ns, flow)
  local frames = fkey .. KEY.frames_suffix
  local c = get_record(frames, op.container)
  if not c or c[CONTAINER.closed] then return end
  redis.call('HDEL', frames, op.container .. '.' .. op.child)
  redis.call('SREM', fkey .. KEY.kids_infix .. op.container, op.child)
  for _, field in ipairs(op.forget or {}) do redis.call('HDEL', fkey .. KEY.results_suffix, field) end
  c[CONTAINER.done] = c[CONTAINER.done] + 1
  local kids = fkey .. KEY.kids_infix .. op.container
  if op.disposition == JOIN_DISPOSITION.fail then
    c[CONTAINER.failed] = op.message
  else
    redis.call('HSET', fkey .. KEY.collect_infix .. op.container, op.child, op.result)
    if op.disposition == JOIN_DISPOSITION.stop then
      c[CONTAINER.stop] = true
    else
      fill_container(ns, flow, op.container, c, op.ids or {}, now)
    end
  end
  if c[CONTAINER.failed] or c[CONTAINER.stop] then
    for _, k in ipairs(redis.call('SMEMBERS', kids)) do
      cancel_frame(ns, flow, op.container .. '.' .. k, c[CONTAINER.failed] or 'the loop was stopped', now, retention, cap)
    end
    redis.call('DEL', kids)
  end
  if c[CONTAINER.failed] or c[CONTAINER.stop] or (c[CONTAINER.launched] >= c[CONTAINER.count] and redis.call('SCARD', kids) == 0) then
    complete_container(ns, flow, op.container, c, op.event_id, now)
  end
  put_record(frames, op.container, c)
end

-- Ends a container early because a child's stop ends the frame around it: every other child is
-- canceled, its keys dropped, and its waiting step finished with `result`.
local function abandon_container(ns, flow, op, now, retention, cap)
  local fkey = flow_key(ns, flow)
  for _, k in ipairs(redis.call('SMEMBERS', fkey .. KEY.kids_infix .. op.container)) do
    cancel_frame(ns, flow, op.container .. '.' .. k, 'a branch stopped the flow', now, retention, cap)
  end
  drop_container(ns, flow, op.container)
  local key = ns .. KEY.job .. op.job
  if redis.call('HGET', key, JOB.state) == JOB_STATE.running then
    redis.call('HSET', key, JOB.result, op.result)
    finish_job(ns, op.job, JOB_STATE.success, now, retention, cap)
  end
end

-- Finishes a step job that waited on children or a subflow (it holds no lease).
local function close_waiting(ns, op, now, retention, cap)
  local key = ns .. KEY.job .. op.job
  if redis.call('HGET', key, JOB.state) ~= JOB_STATE.running then return end
  if op.state == JOB_STATE.success then redis.call('HSET', key, JOB.result, op.result or 'null') else redis.call('HSET', key, JOB.error, op.error or '') end
  finish_job(ns, op.job, op.state, now, retention, cap)
end

-- Opens the gate of the step that just finished and parks its frame; decides it at once when
-- approvals or a rejection sent while the step ran already do.
local function park_frame(ns, flow, op, now)
  local fkey = flow_key(ns, flow)
  local gate_key = ns .. KEY.gate .. op.gate
  if not GATE_ACCEPTING[redis.call('HGET', gate_key, GATE.state) or ''] then return false end
  local deadline = now + tonumber(op.timeout_ms)
  redis.call('HSET', gate_key, GATE.state, GATE_STATE.open, GATE.opened_at, now, GATE.deadline, deadline)
  if op.page ~= '{}' then redis.call('HSET', gate_key, GATE.page, op.page) end
  redis.call('ZADD', K.gate_deadlines, deadline, op.gate)
  wake_scheduler(ns)
  local frames = fkey .. KEY.frames_suffix
  local record = get_record(frames, op.frame) or {}
  record[FRAME.status] = FRAME_STATUS.park
  record[FRAME.gate] = op.gate
  put_record(frames, op.frame, record)
  redis.call('HSET', fkey, JOB.gate, op.gate)
  if tonumber(redis.call('HGET', fkey, JOB.steps) or '0') <= 0 then redis.call('HSET', fkey, JOB.state, JOB_STATE.suspended) end
  local early = hash_fields(gate_key, GATE.pending_rejection_by, GATE.pending_rejection_reason, GATE.required)
  if early.pending_rejection_by then
    close_gate(ns, op.gate, GATE_STATE.rejected, early.pending_rejection_by, early.pending_rejection_reason, op.event_id, now)
  elseif redis.call('LLEN', gate_key .. KEY.approvals_suffix) >= tonumber(early.required or '1') then
    close_gate(ns, op.gate, GATE_STATE.approved, nil, '', op.event_id, now)
  end
  return true
end

-- The first operation of `ops` that apply_ops does not know (FLOW_OPERATIONS, the names of
-- FlowOperation.Name in Swift), or nil: a plan naming one is refused before anything is written
-- (a newer worker's plan, a typo), never half applied.
local function unknown_operation(ops)
  for _, op in ipairs(ops) do
    if not FLOW_OPERATIONS[op.op] then return tostring(op.op) end
  end
  return nil
end

-- Applies the operations of a flow decision, in order.
local function apply_ops(ns, flow, ops, now, retention, cap)
  local parked = {}
  for _, op in ipairs(ops) do
    local target = op.flow or flow
    local fkey = flow_key(ns, target)
    if op.op == FLOW_OP.create then
      redis.call('HSET', fkey, JOB.created_at, now, JOB.deliveries, 0, JOB.steps, 0, unpack(op.fields))
      redis.call('ZADD', K.active_flows, now, target)
    elseif op.op == FLOW_OP.set_input then
      redis.call('HSET', fkey, JOB.args, op.args)
    elseif op.op == FLOW_OP.record then
      redis.call('HSET', fkey .. KEY.results_suffix, op.field, op.value)
    elseif op.op == FLOW_OP.step then
      create_step(ns, target, op, now)
    elseif op.op == FLOW_OP.frame then
      local frames = fkey .. KEY.frames_suffix
      local record = get_record(frames, op.frame) or {}
      for k, v in pairs(op.set or {}) do record[k] = v end
      for _, k in ipairs(op.unset or {}) do record[k] = nil end
      put_record(frames, op.frame, record)
    elseif op.op == FLOW_OP.park then
      if park_frame(ns, target, op, now) then parked[op.gate] = true end
    elseif op.op == FLOW_OP.open_container then
      open_container(ns, target, op, now)
    elseif op.op == FLOW_OP.join then
      join_child(ns, target, op, now, retention, cap)
    elseif op.op == FLOW_OP.close_waiting then
      close_waiting(ns, op, now, retention, cap)
    elseif op.op == FLOW_OP.abandon_container then
      abandon_container(ns, target, op, now, retention, cap)
    elseif op.op == FLOW_OP.drop_container then
      drop_container(ns, target, op.container)
    elseif op.op == FLOW_OP.link then
      redis.call('HSET', ns .. KEY.job .. op.job, JOB.subflow, op.subflow)
    elseif op.op == FLOW_OP.finish then
      finish_flow(ns, target, op, now, retention, cap)
    elseif op.op == FLOW_OP.cache then
      redis.call('SET', op.key, op.value, 'EX', op.seconds)
    elseif op.op == FLOW_OP.cancel then
      cancel_flow(ns, target, op.reason, now, retention, cap, op.event_id)
    end
  end
  return parked
end
