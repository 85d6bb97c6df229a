-- fire_gate_deadlines: times out the open gates whose deadline has passed.
--
-- KEYS: [1] namespace; then the shared keys (`K`): the gate deadlines set, the queue index.
-- ARGV: fresh job ids for the flow events, one per gate this call may close.
-- Guarantees: due is judged on Redis's clock; a gate closes once, as `timed_out`, even with
-- several schedulers, and only if no approval or rejection closed it first. Returns
-- {fired, ms until the next deadline or -1, lateness in ms of each fired gate...}.
local ns = KEYS[1]
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', K.gate_deadlines, '-inf', now, 'WITHSCORES', 'LIMIT', 0, #ARGV)
local fired = 0
local lateness = {}
for i = 1, #due, 2 do
  local gate_id, deadline = due[i], tonumber(due[i + 1])
  local state = redis.call('HGET', ns .. KEY.gate .. gate_id, GATE.state)
  if state == GATE_STATE.open then
    fired = fired + 1
    close_gate(ns, gate_id, GATE_STATE.timed_out, nil, '', ARGV[fired], now)
    lateness[#lateness + 1] = now - deadline
  else
    redis.call('ZREM', K.gate_deadlines, gate_id)
  end
end
local following = redis.call('ZRANGE', K.gate_deadlines, 0, 0, 'WITHSCORES')
local wait = -1
if following[2] then wait = math.max(0, tonumber(following[2]) - now) end
local reply = {fired, wait}
for _, late in ipairs(lateness) do reply[#reply + 1] = late end
return reply
