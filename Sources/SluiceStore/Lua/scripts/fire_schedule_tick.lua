-- fire_schedule_tick: fires one tick of a schedule — or records it as skipped, or only moves the
-- schedule to its next due time — exactly once, however many schedulers run.
--
-- KEYS: [1] namespace, [2] the schedule's hash, [3] its runs list, [4] the due set.
-- ARGV: [1] the plan, JSON, decided by a scheduler (in Swift, a pure function of the schedule it
-- read and Redis's clock): `name`; `version`, the schedule's version it read; `tick`, the tick id
-- to fire (whole seconds since the epoch; 0 = none, only move); `missed`, the due ticks passed
-- over for it (catch-up); `next_ms`, the next due time (-1 = never again); `start`, what the tick
-- starts (see start_scheduled); `retention`, `cap` (as for finishing jobs); `runs_cap`.
-- Guarantees: applies only at the version read, so a schedule changed, paused or deleted since is
-- left for the next look; fires only a tick later than the schedule's `last_tick` that is due on
-- Redis's clock — so each (schedule, tick) is claimed once and ticks fire in order. With
-- `no_overlap`, a tick whose previous run has not finished starts nothing and is recorded as
-- skipped. In the same step the run is recorded (`fired`, `catch_up` with its missed count, or
-- `skipped`) and the schedule moves to `next_ms` in the due set. Returns {outcome, lateness ms,
-- job id or false}, outcome one of `fired`, `skipped`, `moved`, `stale`, `gone`.
local ns, key, runs, due = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local plan = cjson.decode(ARGV[1])
local now = now_ms()
local s = hash_fields(key, SCHEDULE.version, SCHEDULE.enabled, SCHEDULE.last_tick, SCHEDULE.no_overlap, SCHEDULE.last_job)
if not s.version then
  redis.call('ZREM', due, plan.name)
  return {TICK_OUTCOME.gone, 0, false}
end
if s.version ~= plan.version then return {TICK_OUTCOME.stale, 0, false} end
if s.enabled ~= '1' then
  redis.call('ZREM', due, plan.name)
  return {TICK_OUTCOME.stale, 0, false}
end
local tick = tonumber(plan.tick)
local outcome, lateness, job = TICK_OUTCOME.moved, 0, false
if tick ~= 0 then
  if (s.last_tick and tonumber(s.last_tick) >= tick) or tick * 1000 > now then return {TICK_OUTCOME.stale, 0, false} end
  lateness = now - tick * 1000
  local entry = {tick = tick, at = now, missed = tonumber(plan.missed)}
  local previous = s.last_job and redis.call('HGET', ns .. KEY.job .. s.last_job, JOB.state)
  if s.no_overlap == '1' and previous and not FINAL_STATES[previous] then
    outcome = TICK_OUTCOME.skipped
    entry.kind = SCHEDULE_RUN_KIND.skipped
    entry.job = s.last_job
    redis.call('HINCRBY', key, SCHEDULE.skipped, 1)
  else
    outcome = TICK_OUTCOME.fired
    job = start_scheduled(ns, plan.start, now, tonumber(plan.retention), tonumber(plan.cap))
    entry.kind = entry.missed > 0 and SCHEDULE_RUN_KIND.catch_up or SCHEDULE_RUN_KIND.fired
    entry.job = job
    redis.call('HSET', key, SCHEDULE.last_job, job, SCHEDULE.last_fired_at, now)
    redis.call('HINCRBY', key, SCHEDULE.fired, 1)
    if entry.missed > 0 then redis.call('HINCRBY', key, SCHEDULE.catch_ups, 1) end
  end
  redis.call('HSET', key, SCHEDULE.last_tick, tick)
  redis.call('LPUSH', runs, cjson.encode(entry))
  redis.call('LTRIM', runs, 0, tonumber(plan.runs_cap) - 1)
end
local next_ms = tonumber(plan.next_ms)
if next_ms >= 0 then
  redis.call('HSET', key, SCHEDULE.next_due, next_ms)
  redis.call('ZADD', due, next_ms, plan.name)
else
  redis.call('HDEL', key, SCHEDULE.next_due)
  redis.call('ZREM', due, plan.name)
end
return {outcome, lateness, job}
