import SluiceRedis

extension StoreScripts {
    /// `cancel_job`: stops a job that has not finished.
    ///
    /// - KEYS: `[1]` namespace, `[2]` the job hash, `[3]` the delayed set.
    /// - ARGV: `[1]` id, `[2]` reason, `[3]` retention seconds, `[4]` finished-index cap.
    /// - Guarantees: a queued job leaves its queue (with its wake-up token), a scheduled one leaves
    ///   the delayed set, a running one loses its lease (its worker sees that at its next heartbeat
    ///   and kills the process, and its late report is fenced off). A finished job is left as it is.
    ///   Returns the state the job was in, or nil for an unknown id.
    static let cancelJob = RedisScript(
        name: "cancel_job",
        source: LuaPrelude.source + #"""
            local ns, key, id = KEYS[1], KEYS[2], ARGV[1]
            local fields = redis.call('HMGET', key, 'state', 'queue')
            local state = fields[1]
            if not state then return false end
            if state == 'success' or state == 'failure' or state == 'canceled' then return state end
            if state == 'queued' then
              local list = ns .. 'queue:' .. fields[2]
              if redis.call('LREM', list, 0, id) > 0 then redis.call('LPOP', list .. ':signal') end
            elseif state == 'scheduled' then
              redis.call('ZREM', KEYS[3], id)
            end
            redis.call('HSET', key, 'error', ARGV[2])
            finish_job(ns, id, 'canceled', now_ms(), tonumber(ARGV[3]), tonumber(ARGV[4]))
            return state
            """#
    )
}
