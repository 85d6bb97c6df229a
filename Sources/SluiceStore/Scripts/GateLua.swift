/// Lua functions for approval gates, prepended to the scripts that open, decide or close gates.
///
/// A gate lives in `P:gate:<step id>` (a hash), with its approvals in `P:gate:<id>:approvals`
/// (a list of JSON entries, in arrival order), the identities that approved in
/// `P:gate:<id>:approvers` (a set: each counts once) and rejections in `P:gate:<id>:rejections`.
/// Open gates are in `P:gates:deadlines` (id → deadline ms).
enum GateLua {
    static let source = #"""
        -- Closes an open or pending gate with `outcome` and queues the `flow_event` job that lets a
        -- worker move the flow on. Exactly-once rests on the callers: they close only a gate that
        -- is still pending or open, inside one script.
        local function close_gate(ns, gate_id, outcome, by, reason, event_id, now)
          local gate_key = ns .. 'gate:' .. gate_id
          local flow_id = redis.call('HGET', gate_key, 'flow_id')
          redis.call('HSET', gate_key, 'state', outcome, 'closed_at', now)
          if by then redis.call('HSET', gate_key, 'decided_by', by) end
          redis.call('ZREM', ns .. 'gates:deadlines', gate_id)
          local flow_key = ns .. 'job:' .. flow_id
          redis.call('HSET', flow_key, 'state', 'running')
          redis.call('HINCRBY', flow_key, 'version', 1)
          local entries = redis.call('LRANGE', gate_key .. ':approvals', 0, -1)
          local args = '{"event":"gate_decided","gate":' .. cjson.encode(gate_id) .. ',"outcome":' .. cjson.encode(outcome)
            .. ',"by":' .. cjson.encode(by or '') .. ',"reason":' .. cjson.encode(reason or '')
            .. ',"entries":[' .. table.concat(entries, ',') .. ']}'
          local queue = redis.call('HGET', flow_key, 'queue') or 'default'
          redis.call('HSET', ns .. 'job:' .. event_id, 'id', event_id, 'kind', 'flow_event', 'state', 'queued', 'queue', queue,
            'flow_id', flow_id, 'args', args, 'created_at', now, 'deliveries', 0, 'max_deliveries', 3)
          push_ready(ns, queue, event_id, true)
        end

        -- Sets the gate keys of a finished flow to expire with it. A flow's gates are its steps
        -- marked `gate` (a gate's id is its step's id).
        local function expire_gates(ns, flow_key, retention)
          if retention <= 0 then return end
          for _, step_id in ipairs(redis.call('ZRANGE', flow_key .. ':steps', 0, -1)) do
            if redis.call('HGET', ns .. 'job:' .. step_id, 'gate') == '1' then
            local gate_key = ns .. 'gate:' .. step_id
            redis.call('ZREM', ns .. 'gates:deadlines', step_id)
            local state = redis.call('HGET', gate_key, 'state')
            if state == 'pending' or state == 'open' then redis.call('HSET', gate_key, 'state', 'closed') end
            for _, key in ipairs({gate_key, gate_key .. ':approvals', gate_key .. ':approvers', gate_key .. ':rejections'}) do
              redis.call('EXPIRE', key, retention)
            end
            end
          end
        end

        """#
}
