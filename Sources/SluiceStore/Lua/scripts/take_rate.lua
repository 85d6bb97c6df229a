-- take_rate: takes one request from a token bucket (a trigger token's or a route's rate limit).
--
-- KEYS: [1] the bucket (`rate:<subject>`: its tokens and when they were counted).
-- ARGV: [1] requests per second it refills at, [2] its size (the burst).
-- Guarantees: at most `size` requests at once and `rate` per second over time, whatever the number
-- of resumers sharing the bucket (Redis's clock, one step). The bucket expires once full again.
-- Returns 0 when the request may go on, else the milliseconds until one may.
local rate, size = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = now_ms()
local bucket = hash_fields(KEYS[1], RATE_BUCKET.tokens, RATE_BUCKET.at)
local tokens = tonumber(bucket.tokens or size)
local at = tonumber(bucket.at or now)
tokens = math.min(size, tokens + (now - at) * rate / 1000)
if tokens < 1 then
  return math.ceil((1 - tokens) * 1000 / rate)
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], RATE_BUCKET.tokens, tostring(tokens), RATE_BUCKET.at, now)
redis.call('PEXPIRE', KEYS[1], math.ceil((size - tokens) * 1000 / rate) + 1000)
return 0
