-- record_approval: an approval or a rejection of a gate, checked against its rules.
--
-- KEYS: [1] namespace, [2] the gate hash.
-- ARGV: [1] gate id, [2] `approve` or `reject`, [3] identity (`user:<name>` or `link:<nonce>`),
-- [4] approver name (`anonymous` for unnamed links), [5] `1` when anonymous, [6] the entry to
-- record (JSON: approver, payload, at, via, reason), [7] reason, [8] a fresh job id for the flow event.
-- Guarantees: a gate that does not accept decisions changes nothing (`closed`); a refused
-- identity changes nothing (`refused` + why); an identity counts once (`duplicate`). The approval
-- that meets the quorum on an open gate, or a rejection on an open gate, closes it and queues one
-- flow event — whatever else arrives at the same moment. On a gate still pending (its step's
-- script still running) approvals and a rejection are kept and decided when the flow parks.
-- Returns {status, detail, count, required}.
local ns, gate_key, gate_id = KEYS[1], KEYS[2], ARGV[1]
local action, identity, approver, anonymous = ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1'
local g = redis.call('HMGET', gate_key, 'state', 'required', 'self_approval_disabled', 'user_auth_required', 'groups', 'created_by')
local state = g[1]
if not state then return {'unknown', '', 0, 0} end
local required = tonumber(g[2] or '1')
local count = redis.call('LLEN', gate_key .. ':approvals')
if not GATE_ACCEPTING[state] then return {'closed', state, count, required} end
if anonymous and (g[3] == '1' or g[4] == '1') then
  return {'refused', 'this gate needs an identified approver; this link is anonymous', count, required}
end
if g[3] == '1' and g[6] and approver == g[6] then
  return {'refused', approver .. ' started this flow and cannot approve it (self_approval_disabled)', count, required}
end
local groups = cjson.decode(g[5] or '[]')
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
local now = now_ms()
if action == 'reject' then
  redis.call('RPUSH', gate_key .. ':rejections', ARGV[6])
  if state == 'open' then
    close_gate(ns, gate_id, 'rejected', approver, ARGV[7], ARGV[8], now)
    return {'decided', 'rejected', count, required}
  end
  redis.call('HSET', gate_key, 'pending_rejection_by', approver, 'pending_rejection_reason', ARGV[7])
  return {'recorded', 'rejection kept until the flow parks', count, required}
end
if redis.call('SADD', gate_key .. ':approvers', identity) == 0 then
  return {'duplicate', approver .. ' already approved; each approver counts once', count, required}
end
redis.call('RPUSH', gate_key .. ':approvals', ARGV[6])
count = count + 1
if state == 'open' and count >= required then
  close_gate(ns, gate_id, 'approved', approver, '', ARGV[8], now)
  return {'decided', 'approved', count, required}
end
return {'recorded', state, count, required}
