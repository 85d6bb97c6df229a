-- release_worker: a worker leaves (it stopped gracefully): it is no longer listed as live, and the
-- steps waiting on its private queue go back to their own queues.
--
-- KEYS: [1] namespace, [2] the workers set; then the shared keys (`K`) its helpers use.
-- ARGV: [1] the worker's id.
-- Guarantees: after it, no step is routed to the worker's private queue (`same_worker` flows pinned
-- to it are pinned anew to the next worker that runs one of their steps), and none waits there.
-- Returns the number of steps handed back.
local ns, worker = KEYS[1], ARGV[1]
redis.call('ZREM', KEYS[2], worker)
redis.call('DEL', ns .. KEY.worker .. worker)
local waiting = redis.call('LLEN', ns .. KEY.queue .. KEY.private_queue .. worker)
release_private_queue(ns, worker)
return waiting
