-- cancel_job: stops a job that has not finished — a flow with everything it runs, a step with
-- its flow (and the flow's parent flow, if it is a subflow).
--
-- KEYS: [1] namespace, [2] the job hash.
-- ARGV: [1] id, [2] reason, [3] retention seconds, [4] finished-index cap, [5] a fresh job id
-- for the event that tells a canceled subflow's parent.
-- Guarantees: a queued job leaves its queue (with its wake-up token), a scheduled one leaves the
-- delayed set, a running one loses its lease (its worker sees that at its next heartbeat and
-- kills the process, and its late report is fenced off). A finished job is left as it is.
-- Canceling a flow cancels every live step, container and subflow it runs and closes its gates;
-- canceling a step cancels its flow. What a canceled job started through its channel (its calls)
-- and left unfinished is canceled with it, and so on down the chain. Returns the state the job
-- was in, or nil for an unknown id.
local ns = KEYS[1]
local retention, cap = tonumber(ARGV[3]), tonumber(ARGV[4])
local now = now_ms()
local fields = hash_fields(KEYS[2], JOB.state, JOB.kind, JOB.flow_id)
local state = fields.state
if not state then return false end
if FINAL_STATES[state] then return state end
if fields.kind == JOB_KIND.flow then
  return cancel_flow(ns, ARGV[1], ARGV[2], now, retention, cap, ARGV[5])
end
cancel_one(ns, ARGV[1], ARGV[2], now, retention, cap)
if fields.kind == JOB_KIND.step and fields.flow_id then
  cancel_flow(ns, fields.flow_id, 'canceled: its step ' .. ARGV[1] .. ' was canceled (' .. ARGV[2] .. ')', now, retention, cap, ARGV[5])
end
return state
