-- set_schedule_enabled: pauses or resumes a schedule.
--
-- KEYS: [1] the schedule's hash, [2] the due set, [3] the scheduler wake list.
-- ARGV: [1] name, [2] `1` to resume or `0` to pause, [3] the version the caller read, [4] for a
-- resume, the next due time in ms computed from that version's definition on Redis's clock (-1 =
-- none).
-- Guarantees: applies only at the version read (otherwise it answers `stale` and the caller reads
-- again), so the next due time always matches the definition. Pausing takes the schedule out of
-- the due set: nothing fires until it is resumed. Resuming makes now its starting point — ticks
-- that came due while it was paused are not caught up — puts it back in the due set and wakes a
-- scheduler. Either bumps `version`. Returns `paused`, `resumed`, `unchanged` (it already was),
-- `stale`, or nil for an unknown schedule.
local key = KEYS[1]
local s = hash_fields(key, SCHEDULE.version, SCHEDULE.enabled)
if not s.version then return false end
if s.version ~= ARGV[3] then return 'stale' end
if s.enabled == ARGV[2] then return 'unchanged' end
local now = now_ms()
redis.call('HINCRBY', key, SCHEDULE.version, 1)
if ARGV[2] == '0' then
  redis.call('HSET', key, SCHEDULE.enabled, '0')
  redis.call('HDEL', key, SCHEDULE.next_due)
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 'paused'
end
redis.call('HSET', key, SCHEDULE.enabled, '1', SCHEDULE.updated_at, now)
local next_ms = tonumber(ARGV[4])
if next_ms >= 0 then
  redis.call('HSET', key, SCHEDULE.next_due, next_ms)
  redis.call('ZADD', KEYS[2], next_ms, ARGV[1])
end
redis.call('LPUSH', KEYS[3], '1')
redis.call('LTRIM', KEYS[3], 0, 0)
return 'resumed'
