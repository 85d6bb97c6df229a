-- create_token: records a trigger token under a unique name. Only the SHA-256 of its secret is
-- kept: the token itself is printed once, by the CLI, and never stored.
--
-- KEYS: [1] namespace, [2] the token's record (`token:<id>`), [3] the tokens index (name → id).
-- ARGV: [1] id, [2] name, [3] the secret's SHA-256 (hex), [4] the scopes (JSON array), [5] when it
-- expires in ms since the epoch (0: never), [6] who created it, [7] its rate limit in deliveries
-- per second (`''`: none), [8] the limit's burst.
-- Guarantees: a name names one live token at a time (a taken name is refused and nothing is
-- written; the name of an expired token is free again); an id is never reused. Returns
-- {'ok', created_at} or {'refused', why}.
local holder = redis.call('HGET', KEYS[3], ARGV[2])
if holder and redis.call('EXISTS', KEYS[1] .. KEY.token .. holder) == 1 then
  return {'refused', 'a token named ' .. ARGV[2] .. ' exists (revoke it first: sluice token revoke ' .. ARGV[2] .. ')'}
end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'refused', 'token id ' .. ARGV[1] .. ' is taken'} end
local now = now_ms()
redis.call('HSET', KEYS[2], TOKEN.id, ARGV[1], TOKEN.name, ARGV[2], TOKEN.hash, ARGV[3], TOKEN.scopes, ARGV[4], TOKEN.created_at, now,
  TOKEN.created_by, ARGV[6])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[2], TOKEN.rate, ARGV[7], TOKEN.burst, ARGV[8]) end
if tonumber(ARGV[5]) > 0 then
  redis.call('HSET', KEYS[2], TOKEN.expires_at, ARGV[5])
  redis.call('PEXPIREAT', KEYS[2], ARGV[5])
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
return {'ok', now}
