-- cancel_calls: cancels what a job's run started through its channel and left unfinished, once
-- that run ended without success (it failed, timed out or was killed) — or before the job runs
-- again after its worker was lost.
--
-- KEYS: [1] namespace, [2] the job's hash; then the shared keys (`K`) its helpers use.
-- ARGV: [1] the job's id, [2] the reason, [3] retention seconds, [4] finished-index cap, [5] the
--   delivery whose run ended.
-- Guarantees: only the calls made by that delivery and earlier ones are touched (each call is
-- scored by the delivery that made it), so a later run of the job keeps its own; every one of
-- them that has not finished is canceled — a flow with everything it runs — and what those
-- started, in turn. Finished calls are left as they are. Returns how many calls those deliveries made.
local ns = KEYS[1]
local id = ARGV[1]
local count = redis.call('ZCOUNT', ns .. KEY.job .. id .. KEY.calls_suffix, '-inf', ARGV[5])
if count > 0 then cancel_calls(ns, id, ARGV[2], now_ms(), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]) end
return count
