-- delete_schedule: removes a schedule.
--
-- KEYS: [1] the schedule's hash, [2] its runs list, [3] the set of schedule names, [4] the due set.
-- ARGV: [1] name.
-- Guarantees: the definition, its runs and its due entry go together, so no scheduler fires it
-- again (one holding it fires nothing: its tick finds no schedule). Runs already started go on
-- and their own on-failure handlers still run; their outcomes are no longer recorded. Returns 1,
-- or 0 for an unknown schedule.
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return existed
