-- set_callers: sets who besides its own folder may start a script or flow through a job's channel.
--
-- KEYS: [1] the script's (or flow's) hash.
-- ARGV: [1] the path prefixes of the jobs allowed to start it, a JSON array (`[]`: its own folder only).
-- Guarantees: only an existing script or flow gets a rule (a rule never creates one); the rule
-- survives later pushes of new versions. Returns 1, or 0 when there is no such script or flow.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '[]' then
  redis.call('HDEL', KEYS[1], SCRIPT.callers)
else
  redis.call('HSET', KEYS[1], SCRIPT.callers, ARGV[1])
end
return 1
