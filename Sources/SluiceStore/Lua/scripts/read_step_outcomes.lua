-- read_step_outcomes: the start of each step's result or error, for the web console's flow graph.
--
-- KEYS: the step jobs' hashes. ARGV: [1] how many bytes of each to return.
-- Guarantees: read-only (writes nothing); returns, per key in order, {the result's first bytes or
-- '', the error's first bytes or ''} — a page of a thousand steps never carries whole
-- multi-megabyte results.
local limit = tonumber(ARGV[1])
local outcomes = {}
for i, key in ipairs(KEYS) do
  local fields = redis.call('HMGET', key, JOB.result, JOB.error)
  outcomes[i] = {fields[1] and string.sub(fields[1], 1, limit) or '', fields[2] and string.sub(fields[2], 1, limit) or ''}
end
return outcomes
