-- fetch_job: takes the next queued job of the given queues for a worker, under a lease.
--
-- KEYS: [1] namespace.
-- ARGV: [1] worker id, [2] lease length in ms, [3] index of the queue whose wake-up token the
-- worker already took with BLPOP (0 = none), [4...] queue names in priority order.
-- Guarantees: the job leaves its queue list, becomes `running` for this worker, has its delivery
-- count raised (the fencing token) and a lease in the leases set — all or nothing. A flow's first
-- step carries the reads its scope needs (`scope`, written when the flow was started, in
-- advance_flow's `prefetch` form); they are made now, after the take, so the worker begins the
-- step without a read of its own. Returns {the job's fields (HGETALL), the scope's replies or
-- false}, or nil when every queue is empty.
local ns = KEYS[1]
local queues = {}
for i = 4, #ARGV do queues[#queues + 1] = ARGV[i] end
local job = take_first(ns, queues, tonumber(ARGV[3]), ARGV[1], tonumber(ARGV[2]), now_ms())
if not job then return false end
local flow, request
for i = 1, #job, 2 do
  if job[i] == JOB.flow_id then flow = job[i + 1] elseif job[i] == SCOPE_FIELD then request = job[i + 1] end
end
if not (flow and request) then return {job, false} end
-- A request that does not decode or read as expected (written by hand) is not answered: the job
-- is taken all the same and the worker reads the scope itself — the take stands, with its lease.
local read, replies = pcall(function() return read_scope(ns, flow, cjson.decode(request)) end)
return {job, read and replies or false}
