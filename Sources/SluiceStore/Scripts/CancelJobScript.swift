import SluiceRedis

extension StoreScripts {
    /// `cancel_job`: stops a job that has not finished — and, for a flow, its current step; for a
    /// step, its flow.
    ///
    /// - KEYS: `[1]` namespace, `[2]` the job hash, `[3]` the delayed set.
    /// - ARGV: `[1]` id, `[2]` reason, `[3]` retention seconds, `[4]` finished-index cap.
    /// - Guarantees: a queued job leaves its queue (with its wake-up token), a scheduled one leaves
    ///   the delayed set, a running one loses its lease (its worker sees that at its next heartbeat
    ///   and kills the process, and its late report is fenced off). A finished job is left as it is.
    ///   Canceling a flow cancels its current step and closes its gate; canceling a step cancels its
    ///   flow. Returns the state the job was in, or nil for an unknown id.
    static let cancelJob = RedisScript(
        name: "cancel_job",
        source: LuaPrelude.source + GateLua.source + #"""
            local ns = KEYS[1]
            local retention, cap = tonumber(ARGV[3]), tonumber(ARGV[4])
            local now = now_ms()

            local function cancel(id, reason)
              local key = ns .. 'job:' .. id
              local fields = redis.call('HMGET', key, 'state', 'queue', 'kind', 'current_job', 'flow_id')
              local state = fields[1]
              if not state then return false end
              if state == 'success' or state == 'failure' or state == 'canceled' then return state end
              if state == 'queued' then
                local list = ns .. 'queue:' .. fields[2]
                if redis.call('LREM', list, 0, id) > 0 then redis.call('LPOP', list .. ':signal') end
              elseif state == 'scheduled' then
                redis.call('ZREM', KEYS[3], id)
              end
              redis.call('HSET', key, 'error', reason)
              finish_job(ns, id, 'canceled', now, retention, cap)
              if fields[3] == 'flow' then
                local gate = redis.call('HGET', key, 'gate')
                if gate then
                  local gate_state = redis.call('HGET', ns .. 'gate:' .. gate, 'state')
                  if gate_state == 'pending' or gate_state == 'open' then
                    redis.call('HSET', ns .. 'gate:' .. gate, 'state', 'canceled', 'closed_at', now)
                  end
                end
                if retention > 0 then
                  redis.call('EXPIRE', key .. ':results', retention)
                  redis.call('EXPIRE', key .. ':steps', retention)
                end
                expire_gates(ns, key, retention)
                if fields[4] then cancel(fields[4], 'canceled with its flow') end
              elseif fields[3] == 'step' and fields[5] then
                cancel(fields[5], 'canceled: its step ' .. id .. ' was canceled (' .. reason .. ')')
              end
              return state
            end

            return cancel(ARGV[1], ARGV[2])
            """#
    )
}
