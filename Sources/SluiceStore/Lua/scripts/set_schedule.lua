-- set_schedule: creates a schedule or replaces its definition; the change takes effect at its
-- next tick.
--
-- KEYS: [1] the schedule's hash, [2] the set of schedule names, [3] the due set, [4] the
-- scheduler wake list.
-- ARGV: [1] name, [2] the next due time in ms, computed from the new definition on Redis's clock
-- (-1 = none), [3] `1` enabled or `0` paused, [4...] the definition's field/value pairs.
-- Guarantees: the definition is replaced whole (an option left out is cleared) while what the
-- schedule did is kept (created_at, last_tick, last_job, last_fired_at, counters, runs).
-- `version` goes up, so a scheduler that read the old definition fires nothing with it, and
-- `updated_at` (Redis's clock) becomes the schedule's starting point: only ticks after it fire, so
-- a change never fires ticks that came due before it. An enabled schedule sits in the due set at
-- its next due time, a paused one is not in it; a scheduler is woken to look again. Returns
-- {1 if created else 0, version}.
local key = KEYS[1]
local now = now_ms()
local kept_names = {SCHEDULE.created_at, SCHEDULE.last_tick, SCHEDULE.last_job, SCHEDULE.last_fired_at, SCHEDULE.fired, SCHEDULE.skipped,
  SCHEDULE.catch_ups, SCHEDULE.version}
local kept = hash_fields(key, unpack(kept_names))
local created = kept.created_at and 0 or 1
local version = tonumber(kept.version or '0') + 1
local fields = {SCHEDULE.name, ARGV[1], SCHEDULE.created_at, kept.created_at or now, SCHEDULE.updated_at, now, SCHEDULE.version, version,
  SCHEDULE.enabled, ARGV[3]}
for i = 2, 7 do
  local name = kept_names[i]
  if kept[name] then
    fields[#fields + 1] = name
    fields[#fields + 1] = kept[name]
  end
end
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
local next_ms = tonumber(ARGV[2])
redis.call('DEL', key)
if ARGV[3] == '1' and next_ms >= 0 then
  fields[#fields + 1] = SCHEDULE.next_due
  fields[#fields + 1] = next_ms
  redis.call('ZADD', KEYS[3], next_ms, ARGV[1])
else
  redis.call('ZREM', KEYS[3], ARGV[1])
end
redis.call('HSET', key, unpack(fields))
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('LPUSH', KEYS[4], '1')
redis.call('LTRIM', KEYS[4], 0, 0)
return {created, version}
