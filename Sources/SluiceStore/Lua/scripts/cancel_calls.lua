-- cancel_calls: cancels what a job started through its channel and left unfinished, once the run
-- that started them ended without success (it failed, timed out or was killed) — or before the
-- job runs again after its worker was lost.
--
-- KEYS: [1] namespace, [2] the job's hash; then the shared keys (`K`) its helpers use.
-- ARGV: [1] the job's id, [2] the reason, [3] retention seconds, [4] finished-index cap, [5] the
--   delivery that ended.
-- Guarantees: nothing while the job still runs that delivery (its calls are its own business
-- then); otherwise every unfinished job in its `:calls` set is canceled — a flow with everything
-- it runs — and what those started, in turn. Finished calls are left as they are. Returns how
-- many of its calls it found (finished or not), or -1 when the job still runs that delivery.
local ns, key = KEYS[1], KEYS[2]
local id = ARGV[1]
local f = hash_fields(key, 'state', 'deliveries')
if f.state == 'running' and f.deliveries == ARGV[5] then return -1 end
local count = redis.call('SCARD', ns .. KEY.job .. id .. KEY.calls_suffix)
cancel_calls(ns, id, ARGV[2], now_ms(), tonumber(ARGV[3]), tonumber(ARGV[4]))
return count
