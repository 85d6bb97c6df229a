-- advance_flow: applies one flow decision — made by a worker from the state it read (or by the
-- CLI, to start a flow) — in one step.
--
-- KEYS: [1] namespace, [2] the flow's job hash, [3] its frames hash; then the shared keys (`K`).
--   The shared keys (the leases, delayed and gate-deadline sets...) its helpers read as `K.<name>`.
-- ARGV: [1] the plan, JSON: `flow`, `retention`, `cap`;
--   `held` — the job the worker holds (a step or a flow event) with its outcome, fenced like
--     complete_job: {id, kind, worker, delivery, state = success|failure|wait, payload, logs,
--     args, skipped, ungated, bare}; `wait` keeps a container or subflow step running without a
--     lease; `ungated`: the step's module has no gate, so there is none to close; `bare`: no
--     process ever ran for the job, so it has no logs or calls keys but what this call writes;
--   `guard` — the frame state the decision was made from: {frame, job} (the frame's current job)
--     or {frame, gate} (the frame parked at that gate);
--   `ops` — the operations (create, set_input, record, step, frame, park, open, join,
--     close_waiting, abandon_container, drop_container, link, finish, cache, cancel; see
--     flows.lua), applied in order only when the guard holds and the flow has not ended; a plan
--     naming an operation it does not know is refused (the error `OPERATION unknown: <name>`)
--     before anything is written;
--   `next` — {worker, lease_ms, queues}: take the worker's next job in the same call;
--   `delivery` — with `create`: {key, ttl} of the trigger delivery that starts the flow;
--   `call` — with `create`: {parent, delivery, max_depth, max_total} when a running job starts
--     the flow through its channel (calls.lua);
--   `prefetch` — with `next`: {<step id> = {fields = flow fields, records = frame records,
--     results = result fields, items = {{container, child}...} loop elements}} for steps of this
--     flow the ops create: when the job taken next is one of them, its reads are made after the
--     ops applied, and answered in FlowStore.read's order (HMGET of the flow, of its frames, of
--     its results, then each element's HGET), so the worker begins that step without a read.
-- Guarantees: a stale report (the held job is no longer the caller's) changes nothing. The ops
-- apply only if the flow is still running or suspended and the guarded frame is exactly as the
-- decision saw it, so a step reported twice, or two events racing, move a frame once. A held
-- step's gate that did not open is closed, so its links die. A step of a `same_worker` flow pins
-- the flow to its worker (unless a live worker has it already): the next steps wait on that
-- worker's private queue. A delivery whose key started a run within its window starts nothing:
-- the error `DUPLICATE <that run's id>`, before anything is written; else the run is created and
-- the key remembers it in the same step. A flow a job starts through its channel is created only
-- while that job still runs the delivery that asks and within the call limits (else the error
-- `CALL <why>`, before anything is written), and is linked to it in the same step.
-- ARGV[2...]: the plan's long texts (results, arguments, inputs, loop elements), each once: the
--   plan names each where it belongs as {"$argv": n}, n its place in ARGV (PlanTexts in Swift), so
--   no long text is JSON-escaped inside the plan and decoded again here. A reference to a place
--   not given fails the call before anything is written.
-- Returns {held_job_applied, flow_advanced, next_job, prefetched reads or false}.
local ns, fkey, frames = KEYS[1], KEYS[2], KEYS[3]
local plan = cjson.decode(ARGV[1])

-- Puts the texts given beside the plan back in their places.
local function put_texts(node)
  for key, value in pairs(node) do
    if type(value) == 'table' then
      local place = value[TEXT_REFERENCE]
      if place == nil then
        put_texts(value)
      elseif type(place) == 'number' and ARGV[place] and place > 1 then
        node[key] = ARGV[place]
      else
        error('the plan names a text it was not given: ' .. tostring(place))
      end
    end
  end
end
if #ARGV > 1 then put_texts(plan) end
local unknown = unknown_operation(plan.ops or {})
if unknown then return redis.error_reply('OPERATION unknown: ' .. unknown) end
local now = now_ms()
local retention, cap = tonumber(plan.retention), tonumber(plan.cap)

local function take_next()
  if plan.next then return take_first(ns, plan.next.queues, 0, plan.next.worker, plan.next.lease_ms, now) or false end
  return false
end

-- The reads `prefetch` names for the job taken next, or false.
local function prefetched(job)
  if not (job and plan.prefetch) then return false end
  local id
  for i = 1, #job, 2 do
    if job[i] == JOB.id then id = job[i + 1]; break end
  end
  local want = id and plan.prefetch[id]
  if not want then return false end
  return read_scope(ns, plan.flow, want)
end

if plan.create then
  local earlier = delivered_run(ns, plan.delivery)
  if earlier then return redis.error_reply('DUPLICATE ' .. earlier) end
  if redis.call('EXISTS', fkey) == 1 then return redis.error_reply('EXISTS flow already exists') end
  if plan.call then
    local refused = call_refusal(ns, plan.call)
    if refused then return redis.error_reply('CALL ' .. refused) end
  end
  remember_delivery(ns, plan.delivery, plan.flow)
end

local held = plan.held
-- The flow's state, when it was read with the held step's pinning fields (else read below).
local flow_state
if held then
  local key = ns .. KEY.job .. held.id
  -- The fence's fields and finish_job's, in one read.
  local fields = hash_fields(key, JOB.state, JOB.worker, JOB.deliveries, unpack(FINISH_FIELDS))
  if not (fields.state == JOB_STATE.running and fields.worker == held.worker and fields.deliveries == tostring(held.delivery)) then
    return {0, 0, take_next(), false}
  end
  -- What the run says of itself, written with its state: its arguments as run, skipped, its
  -- result or error.
  local written = {}
  if held.args then written[#written + 1] = JOB.args; written[#written + 1] = held.args end
  if held.skipped then written[#written + 1] = JOB.skipped; written[#written + 1] = '1' end
  if held.state == JOB_STATE.success then
    written[#written + 1] = JOB.result; written[#written + 1] = held.payload
  elseif held.state ~= 'wait' then
    written[#written + 1] = JOB.error; written[#written + 1] = held.payload
  end
  if held.logs and held.logs ~= '' then redis.call('SET', key .. KEY.logs_suffix, held.logs) end
  if held.kind == JOB_KIND.step and held.state ~= 'wait' then
    -- A `same_worker` flow is pinned to the worker that ran its step, unless a live one has it.
    local flow = hash_fields(fkey, JOB.state, JOB.same_worker, JOB.pinned_worker)
    flow_state = flow.state
    if flow.same_worker == '1' and held.worker ~= flow.pinned_worker
      and not (flow.pinned_worker and redis.call('ZSCORE', K.workers, flow.pinned_worker)) then
      redis.call('HSET', fkey, JOB.pinned_worker, held.worker)
    end
  end
  if held.state == 'wait' then
    written[#written + 1] = JOB.waiting; written[#written + 1] = '1'
    redis.call('HSET', key, unpack(written))
    redis.call('ZREM', K.leases, held.id)
    redis.call('HDEL', key, JOB.worker)
    redis.call('HINCRBY', fkey, JOB.steps, -1)
  else
    finish_job(ns, held.id, held.state, now, retention, cap, written, fields, held.bare and (held.logs or '') == '')
  end
end

local advancing = plan.create ~= nil
if not advancing then
  -- Finishing the held step does not change its flow's state: the one read with it still holds.
  local state = flow_state or redis.call('HGET', fkey, JOB.state)
  advancing = state == JOB_STATE.running or state == JOB_STATE.suspended
  if advancing and plan.guard then
    local record = get_record(frames, plan.guard.frame)
    if plan.guard.gate then
      advancing = record ~= nil and record[FRAME.status] == FRAME_STATUS.park and record[FRAME.gate] == plan.guard.gate
    else
      advancing = record ~= nil and record[FRAME.job] == plan.guard.job and record[FRAME.status] ~= FRAME_STATUS.park
    end
  end
end

local parked = {}
if advancing then parked = apply_ops(ns, plan.flow, plan.ops or {}, now, retention, cap) end
if plan.create and plan.call then link_call(ns, plan.call, plan.flow) end
-- A step whose module has no gate (`ungated`, said by the worker that read its definition) has
-- none to close.
if held and held.kind == JOB_KIND.step and not held.ungated and not parked[held.id] then shut_gate(ns, held.id, GATE_STATE.closed, now) end
local taken = take_next()
return {1, advancing and 1 or 0, taken, prefetched(taken)}
