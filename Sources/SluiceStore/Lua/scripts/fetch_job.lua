-- fetch_job: takes the next queued job of the given queues for a worker, under a lease.
--
-- KEYS: [1] namespace.
-- ARGV: [1] worker id, [2] lease length in ms, [3] index of the queue whose wake-up token the
-- worker already took with BLPOP (0 = none), [4...] queue names in priority order.
-- Guarantees: the job leaves its queue list, becomes `running` for this worker, has its delivery
-- count raised (the fencing token) and a lease in the leases set — all or nothing. Returns the
-- job's fields (HGETALL) or nil when every queue is empty.
local queues = {}
for i = 4, #ARGV do queues[#queues + 1] = ARGV[i] end
return take_first(KEYS[1], queues, tonumber(ARGV[3]), ARGV[1], tonumber(ARGV[2]), now_ms())
