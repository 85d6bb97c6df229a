/// Lua functions shared by the job scripts, prepended to each script's source.
///
/// Every function takes the namespace (`KEYS[1]`, e.g. `{sluice}:`) and builds the keys it derives
/// from data (a job's queue, a popped id) from it, so they share the script's hash slot.
enum LuaPrelude {
    static let source = #"""
        -- Redis's clock in milliseconds: all deadlines are compared against it, never a host's clock.
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end

        -- Makes a queued job wait for a worker: pushes it on its queue with one wake-up token.
        -- `front` puts it where workers take next (a job handed back goes first).
        local function push_ready(ns, queue, id, front)
          local list = ns .. 'queue:' .. queue
          if front then redis.call('RPUSH', list, id) else redis.call('LPUSH', list, id) end
          redis.call('LPUSH', list .. ':signal', '1')
          redis.call('SADD', ns .. 'queues', queue)
        end

        -- Takes the oldest queued job of `queue` for `worker` under a lease; nil when the queue is empty.
        -- `signal_taken` says the caller already consumed this queue's wake-up token (BLPOP).
        local function take_job(ns, queue, signal_taken, worker, lease_ms, now)
          local list = ns .. 'queue:' .. queue
          while true do
            local id = redis.call('RPOP', list)
            if not id then return nil end
            if not signal_taken then redis.call('LPOP', list .. ':signal') end
            signal_taken = false
            local key = ns .. 'job:' .. id
            if redis.call('HGET', key, 'state') == 'queued' then
              redis.call('HSET', key, 'state', 'running', 'worker', worker, 'started_at', now)
              redis.call('HINCRBY', key, 'deliveries', 1)
              redis.call('ZADD', ns .. 'leases', now + lease_ms, id)
              return redis.call('HGETALL', key)
            end
          end
        end

        -- Tries each queue in order (the signaled one first) and returns the taken job's fields or nil.
        local function take_first(ns, queues, signaled, worker, lease_ms, now)
          if signaled > 0 then
            local job = take_job(ns, queues[signaled], true, worker, lease_ms, now)
            if job then return job end
          end
          for i, queue in ipairs(queues) do
            if i ~= signaled then
              local job = take_job(ns, queue, false, worker, lease_ms, now)
              if job then return job end
            end
          end
          return nil
        end

        -- Records a job's final state: timestamps, lease released, retention set, the per-queue
        -- finished index (capped) and counters updated, and anyone waiting on it woken.
        local function finish_job(ns, id, state, now, retention, cap)
          local key = ns .. 'job:' .. id
          local queue = redis.call('HGET', key, 'queue') or 'default'
          redis.call('HSET', key, 'state', state, 'finished_at', now)
          redis.call('ZREM', ns .. 'leases', id)
          if retention > 0 then
            redis.call('EXPIRE', key, retention)
            redis.call('EXPIRE', key .. ':logs', retention)
          end
          local index = ns .. 'finished:' .. queue
          redis.call('ZADD', index, now, id)
          redis.call('ZREMRANGEBYRANK', index, 0, -(cap + 1))
          redis.call('HINCRBY', ns .. 'stats:' .. queue, state, 1)
          local bucket = ns .. 'throughput:' .. queue .. ':' .. math.floor(now / 60000)
          redis.call('HINCRBY', bucket, state, 1)
          redis.call('EXPIRE', bucket, 7200)
          local watchers = tonumber(redis.call('HGET', key, 'watchers') or '0')
          if watchers > 0 then
            local done = key .. ':done'
            for _ = 1, watchers do redis.call('LPUSH', done, state) end
            redis.call('EXPIRE', done, 600)
            redis.call('HDEL', key, 'watchers')
          end
        end

        """#
}
