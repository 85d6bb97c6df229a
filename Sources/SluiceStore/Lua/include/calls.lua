-- Calls: the jobs a running job starts through its channel (`run_script_by_path`,
-- `runFlowAsync`…). A call's job hash has `called_by` (the job that started it), `call_depth`
-- (1 for a call made by a job nobody called, one more per level) and `call_root` (the first job
-- of the chain, whose `calls_started` counts every call made under it); the caller's sorted set
-- `P:job:<id>:calls` lists the jobs it started, each scored by the caller's delivery that started it.

-- Why job `call.parent` may not start a job now, or nil: it must still run the delivery that
-- asks (`call.delivery`), the new job may be at most `call.max_depth` calls deep, and its chain
-- may have started at most `call.max_total` jobs before it.
local function call_refusal(ns, call)
  local p = hash_fields(ns .. KEY.job .. call.parent, JOB.state, JOB.deliveries, JOB.call_depth, JOB.call_root)
  if p.state ~= JOB_STATE.running or p.deliveries ~= tostring(call.delivery) then
    return 'the calling job ' .. call.parent .. ' is no longer running (canceled, timed out or handed back)'
  end
  local depth = tonumber(p.call_depth or '0') + 1
  if depth > tonumber(call.max_depth) then
    return 'call depth limit: this job is already ' .. (depth - 1) .. ' calls deep, and calls may nest at most ' ..
      call.max_depth .. ' levels (a script that starts itself without end?)'
  end
  local root = p.call_root or call.parent
  local started = tonumber(redis.call('HGET', ns .. KEY.job .. root, JOB.calls_started) or '0')
  if started >= tonumber(call.max_total) then
    return 'call limit: the chain of calls started by job ' .. root .. ' has started ' .. started ..
      ' jobs, the most one chain may start'
  end
  return nil
end

-- Links job `child`, just created, to the job that started it: `called_by`, `call_depth` and
-- `call_root` on the child, the child in the caller's `:calls` set, one more call counted on the root.
local function link_call(ns, call, child)
  local pkey = ns .. KEY.job .. call.parent
  local p = hash_fields(pkey, JOB.call_depth, JOB.call_root)
  local root = p.call_root or call.parent
  redis.call('HSET', ns .. KEY.job .. child, JOB.called_by, call.parent, JOB.call_depth, tonumber(p.call_depth or '0') + 1,
    JOB.call_root, root)
  redis.call('HINCRBY', ns .. KEY.job .. root, JOB.calls_started, 1)
  redis.call('ZADD', pkey .. KEY.calls_suffix, call.delivery, child)
end

-- Cancels, with `reason`, every job `id` started through its channel that has not finished — a
-- flow with everything it runs — and (through cancel_one) what those started in turn; with
-- `upto`, only those its deliveries up to that one started.
cancel_calls = function(ns, id, reason, now, retention, cap, upto)
  for _, child in ipairs(redis.call('ZRANGEBYSCORE', ns .. KEY.job .. id .. KEY.calls_suffix, '-inf', upto or '+inf')) do
    if redis.call('HGET', ns .. KEY.job .. child, JOB.kind) == JOB_KIND.flow then
      cancel_flow(ns, child, reason, now, retention, cap, nil)
    else
      cancel_one(ns, child, reason, now, retention, cap)
    end
  end
end
