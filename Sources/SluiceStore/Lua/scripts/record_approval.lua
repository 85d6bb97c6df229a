-- record_approval: one approval or rejection of a gate, checked against the gate's state, its
-- deadline and its rules before anything is written.
--
-- KEYS: [1] namespace, [2] the gate hash.
-- ARGV: [1] gate id, [2] `approve`, `reject`, or `expire` (only the deadline check below and the
-- identity's earlier decision: it never records anything, and answers `not_due` + the state when
-- the gate is not past its deadline), [3] identity (`user:<name>` or `link:<nonce>`; may be empty
-- for `expire`),
-- [4] approver name (`anonymous` for unnamed links), [5] `1` when anonymous, [6] how it arrives:
-- `link` or `operator`, [7] the entry to record without its time: a JSON object (approver,
-- payload, via, reason) to which the script adds `at`, Redis's clock (added last, so it is the
-- time a reader sees whatever the object held), [8] reason, [9] a fresh job id for the flow event,
-- [10] the answer's digest (payload and reason; empty for `expire`), kept with the decision as
-- `<action>:<digest>` so a retry (the same answer) is told from a changed answer.
-- Guarantees, in the order they are checked:
-- * a gate that does not accept decisions changes nothing (`closed` + its state) — unless this
--   identity decided it before it closed: then the answer is `counted_before` + the gate's state
--   + `approve` or `reject` (what it decided), so a client retrying a request whose answer it lost
--   learns that it counted;
-- * an open gate whose deadline has passed on Redis's clock is timed out here, exactly as
--   fire_gate_deadlines would (it closes once, one flow event), and the answer is
--   `closed timed_out` (or `counted_before timed_out`, as above): nothing arriving late is
--   recorded, whether or not the scheduler ran;
-- * a rejection through a link or a prompt of a `hide_cancel` gate, and an identity the gate's rules refuse,
--   change nothing (`refused` + why);
-- * each identity records one decision, approval or rejection: the same answer again is a
--   `duplicate` (+ what it decided), another answer a `conflict` — the first stands;
-- * the approval that meets the quorum on an open gate, or a rejection on an open gate, closes
--   it and queues one flow event — whatever else arrives at the same moment. On a pending gate
--   (its step's script still running) approvals and the first rejection are kept and decide
--   the gate when the flow parks.
-- Returns {status, detail, count, required[, earlier decision]}.
local ns, gate_key, gate_id = KEYS[1], KEYS[2], ARGV[1]
local action, identity, approver, anonymous, via = ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1', ARGV[6]
local g = hash_fields(gate_key, GATE.state, GATE.required, GATE.self_approval_disabled, GATE.user_auth_required, GATE.groups,
  GATE.created_by, GATE.hide_cancel, GATE.deadline)
local state = g.state
if not state then return {'unknown', '', 0, 0} end
local required = tonumber(g.required or '1')
local count = redis.call('LLEN', gate_key .. KEY.approvals_suffix)
local deciders = gate_key .. KEY.deciders_suffix
local answer = ARGV[10]
-- This identity's earlier decision: its action and whether it gave this same answer (a value
-- kept before answers were recorded counts as the same).
local function earlier_decision()
  local kept = identity ~= '' and redis.call('HGET', deciders, identity)
  if not kept then return nil, false end
  local earlier_action, earlier_answer = string.match(kept, '^([a-z]+):?(.*)$')
  return earlier_action, answer == '' or earlier_answer == '' or earlier_answer == answer
end
-- The answer for a gate that takes no more decisions: closed, or counted before it closed (this
-- same answer: a retry of a request that was applied).
local function closed(final)
  local earlier, same = earlier_decision()
  if earlier and same then return {'counted_before', final, count, required, earlier} end
  return {'gate_closed', final, count, required}
end
if not GATE_ACCEPTING[state] then return closed(state) end
local now = now_ms()
if state == GATE_STATE.open and g.deadline and tonumber(g.deadline) <= now then
  close_gate(ns, gate_id, GATE_STATE.timed_out, nil, '', ARGV[9], now)
  return closed(GATE_STATE.timed_out)
end
if action == 'expire' then return {'not_due', state, count, required} end
if action == 'reject' and via ~= 'operator' and g.hide_cancel == '1' then
  return {'refused', 'this gate takes no rejections through its links (hide_cancel)', count, required}
end
if anonymous and (g.self_approval_disabled == '1' or g.user_auth_required == '1') then
  return {'refused', 'this gate needs an identified approver; this link is anonymous', count, required}
end
if g.self_approval_disabled == '1' and g.created_by and approver == g.created_by then
  return {'refused', approver .. ' started this flow and cannot approve it (self_approval_disabled)', count, required}
end
local groups = cjson.decode(g.groups or '[]')
if #groups > 0 then
  if anonymous then return {'refused', 'only members of ' .. table.concat(groups, ', ') .. ' may act on this gate', count, required} end
  local member = false
  for _, group in ipairs(groups) do
    if redis.call('SISMEMBER', ns .. KEY.group .. group, approver) == 1 then member = true end
  end
  if not member then
    return {'refused', approver .. ' is not a member of ' .. table.concat(groups, ', '), count, required}
  end
end
if redis.call('HSETNX', deciders, identity, action .. ':' .. answer) == 0 then
  local earlier_action, same = earlier_decision()
  local earlier = earlier_action == 'reject' and GATE_STATE.rejected or GATE_STATE.approved
  local who = anonymous and 'this link' or approver
  if not same or earlier_action ~= action then
    return {'conflict', who .. ' already ' .. earlier .. ' this gate with another answer; the first one stands (each approver decides once)',
      count, required}
  end
  return {'duplicate', who .. ' already ' .. earlier .. ' this gate; each approver decides once', count, required}
end
local entry = string.sub(ARGV[7], 1, -2) .. ',"at":' .. string.format('%d', now) .. '}'
if action == 'reject' then
  redis.call('RPUSH', gate_key .. KEY.rejections_suffix, entry)
  if state == GATE_STATE.open then
    close_gate(ns, gate_id, GATE_STATE.rejected, approver, ARGV[8], ARGV[9], now)
    return {'decided', GATE_STATE.rejected, count, required}
  end
  if redis.call('HSETNX', gate_key, GATE.pending_rejection_by, approver) == 1 then
    redis.call('HSET', gate_key, GATE.pending_rejection_reason, ARGV[8])
  end
  return {'recorded', 'rejection kept until the flow parks', count, required}
end
redis.call('RPUSH', gate_key .. KEY.approvals_suffix, entry)
count = count + 1
if state == GATE_STATE.open and count >= required then
  close_gate(ns, gate_id, GATE_STATE.approved, approver, '', ARGV[9], now)
  return {'decided', GATE_STATE.approved, count, required}
end
return {'recorded', state, count, required}
