-- open_pending_gate: creates the approval gate of a step about to run its script, so that links
-- the script hands out — and approvals sent while it still runs — already have a gate.
--
-- KEYS: [1] namespace, [2] the step's job hash, [3] the gate hash, [4] the flow's gates set.
-- ARGV: [1] step id, [2] worker id, [3] delivery (fencing token), [4] flow id, [5...] the gate's
-- field/value pairs (rules, form, page texts, secret).
-- Guarantees: fenced like complete_job; a gate made by an earlier delivery of the same step is
-- kept as it is (with its secret and the approvals it has), so links handed out before a worker
-- died stay valid. Returns 1 when made, 2 when it existed, 0 when the report is stale.
local ns = KEYS[1]
local fields = hash_fields(KEYS[2], JOB.state, JOB.worker, JOB.deliveries)
if fields.state ~= JOB_STATE.running or fields.worker ~= ARGV[2] or fields.deliveries ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[2], JOB.gate, '1')
if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
local gate = {}
for i = 5, #ARGV do gate[#gate + 1] = ARGV[i] end
redis.call('HSET', KEYS[3], GATE.id, ARGV[1], GATE.state, GATE_STATE.pending, GATE.flow_id, ARGV[4], GATE.created_at, now_ms(), unpack(gate))
redis.call('SADD', KEYS[4], ARGV[1])
return 1
