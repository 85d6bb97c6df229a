import SluiceRedis

extension StoreScripts {
    /// `advance_flow`: applies one flow decision — made by a worker (or the CLI, to start a flow)
    /// from the state it read — in one step.
    ///
    /// - KEYS: `[1]` namespace, `[2]` the flow's job hash, `[3]` its results hash, `[4]` its steps
    ///   (a sorted set, scored by creation order), `[5]` the delayed set, `[6]` the scheduler wake list.
    /// - ARGV: `[1]` the plan, JSON: `create` (fields of a new flow hash), `expect_version`,
    ///   `complete` (the job the worker holds — step or flow event — with its outcome, fenced like
    ///   `complete_job`), `record` (a module's result), `set` (flow fields; empty string deletes),
    ///   `step` (a step job to create and queue, after `delay_ms`, with its pending `gate` when the
    ///   module has one), `park` (open the finished step's gate and suspend the flow; `event_id` for
    ///   a decision already reached by approvals sent early), `finish` (the flow's end), `next`
    ///   (take the worker's next job), `retention`, `cap`.
    /// - Guarantees: a stale report (the held job is no longer the caller's) changes nothing. The
    ///   flow moves only if it is `running` at exactly `expect_version`, so a step reported twice,
    ///   or a decision made from state that changed meanwhile, cannot advance it twice; every
    ///   applied decision bumps `version`. A held step's gate that does not open (the step failed,
    ///   or the flow moved otherwise) is closed, so its links die. Returns
    ///   `{held_job_applied, flow_advanced, next_job}`.
    static let advanceFlow = RedisScript(
        name: "advance_flow",
        source: LuaPrelude.source + GateLua.source + #"""
            local ns, flow_key, results_key, steps_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
            local plan = cjson.decode(ARGV[1])
            local now = now_ms()
            local retention, cap = tonumber(plan.retention), tonumber(plan.cap)

            if plan.create then
              if redis.call('EXISTS', flow_key) == 1 then return redis.error_reply('EXISTS flow already exists') end
              redis.call('HSET', flow_key, 'created_at', now, 'deliveries', 0, 'version', 0, unpack(plan.create))
            end

            local held = plan.complete
            if held then
              local held_key = ns .. 'job:' .. held.id
              local fields = redis.call('HMGET', held_key, 'state', 'worker', 'deliveries')
              if not (fields[1] == 'running' and fields[2] == held.worker and fields[3] == tostring(held.delivery)) then
                local next_job = false
                if plan.next then next_job = take_first(ns, plan.next.queues, 0, plan.next.worker, plan.next.lease_ms, now) or false end
                return {0, 0, next_job}
              end
            end

            local flow = redis.call('HMGET', flow_key, 'state', 'version', 'current_job')
            local advancing = flow[1] == 'running' and tonumber(flow[2]) == tonumber(plan.expect_version)
              and (not held or held.kind ~= 'step' or flow[3] == held.id)

            if held then
              local held_key = ns .. 'job:' .. held.id
              if held.state == 'success' then
                redis.call('HSET', held_key, 'result', held.payload)
              else
                redis.call('HSET', held_key, 'error', held.payload)
              end
              if held.logs and held.logs ~= '' then redis.call('SET', held_key .. ':logs', held.logs) end
              finish_job(ns, held.id, held.state, now, retention, cap)
              if held.kind == 'step' and not (advancing and plan.park) then
                local gate_key = ns .. 'gate:' .. held.id
                local gate_state = redis.call('HGET', gate_key, 'state')
                if gate_state == 'pending' or gate_state == 'open' then
                  redis.call('HSET', gate_key, 'state', 'closed', 'closed_at', now)
                  redis.call('ZREM', ns .. 'gates:deadlines', held.id)
                end
              end
            end

            if advancing then
              if plan.record then redis.call('HSET', results_key, plan.record.module, plan.record.result) end
              local version = redis.call('HINCRBY', flow_key, 'version', 1)
              if plan.set then
                for field, value in pairs(plan.set) do
                  if value == '' then redis.call('HDEL', flow_key, field) else redis.call('HSET', flow_key, field, value) end
                end
              end
              if plan.step then
                local step = plan.step
                local step_key = ns .. 'job:' .. step.id
                redis.call('HSET', step_key, 'id', step.id, 'queue', step.queue, 'created_at', now, 'deliveries', 0, unpack(step.fields))
                redis.call('HSET', flow_key, 'current_job', step.id)
                redis.call('ZADD', steps_key, redis.call('ZCARD', steps_key) + 1, step.id)
                if step.gate then
                  redis.call('HSET', ns .. 'gate:' .. step.id, 'id', step.id, 'state', 'pending', 'flow_id', plan.flow_id,
                    'created_at', now, unpack(step.gate))
                  redis.call('HSET', step_key, 'gate', '1')
                end
                local delay = tonumber(step.delay_ms)
                if delay > 0 then
                  redis.call('HSET', step_key, 'state', 'scheduled', 'scheduled_for', now + delay)
                  redis.call('ZADD', KEYS[5], now + delay, step.id)
                  redis.call('LPUSH', KEYS[6], '1')
                  redis.call('LTRIM', KEYS[6], 0, 0)
                else
                  redis.call('HSET', step_key, 'state', 'queued')
                  push_ready(ns, step.queue, step.id, false)
                end
              end
              if plan.park then
                local park = plan.park
                local gate_key = ns .. 'gate:' .. park.gate
                local deadline = now + tonumber(park.timeout_ms)
                redis.call('HSET', gate_key, 'state', 'open', 'opened_at', now, 'deadline', deadline)
                if park.page ~= '{}' then redis.call('HSET', gate_key, 'page', park.page) end
                redis.call('ZADD', ns .. 'gates:deadlines', deadline, park.gate)
                redis.call('LPUSH', KEYS[6], '1')
                redis.call('LTRIM', KEYS[6], 0, 0)
                redis.call('HSET', flow_key, 'state', 'suspended', 'gate', park.gate)
                redis.call('HDEL', flow_key, 'current_job')
                local early = redis.call('HMGET', gate_key, 'pending_rejection_by', 'pending_rejection_reason', 'required')
                if early[1] then
                  close_gate(ns, park.gate, 'rejected', early[1], early[2], park.event_id, now)
                elseif redis.call('LLEN', gate_key .. ':approvals') >= tonumber(early[3] or '1') then
                  close_gate(ns, park.gate, 'approved', nil, '', park.event_id, now)
                end
              end
              if plan.finish then
                local finish = plan.finish
                if finish.result then redis.call('HSET', flow_key, 'result', finish.result) end
                if finish.error then redis.call('HSET', flow_key, 'error', finish.error) end
                if finish.skipped then redis.call('HSET', flow_key, 'skipped', '1') end
                redis.call('HDEL', flow_key, 'current_job')
                finish_job(ns, plan.flow_id, finish.state, now, retention, cap)
                if retention > 0 then
                  redis.call('EXPIRE', results_key, retention)
                  redis.call('EXPIRE', steps_key, retention)
                end
                expire_gates(ns, flow_key, retention)
              end
            end

            local next_job = false
            if plan.next then next_job = take_first(ns, plan.next.queues, 0, plan.next.worker, plan.next.lease_ms, now) or false end
            return {1, advancing and 1 or 0, next_job}
            """#
    )
}
