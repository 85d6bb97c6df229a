-- watch_job: registers a waiter for a job's end, or says it has ended already.
--
-- KEYS: [1] the job hash.
-- Guarantees: either returns the final state (nothing registered), or counts one more waiter so
-- that finishing the job pushes one token for it onto the job's `:done` list — no wake-up is
-- lost between the check and the wait. Returns the state, or nil for an unknown id.
local state = redis.call('HGET', KEYS[1], JOB.state)
if not state then return false end
if FINAL_STATES[state] then return state end
redis.call('HINCRBY', KEYS[1], JOB.watchers, 1)
return state
