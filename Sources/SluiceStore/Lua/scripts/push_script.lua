-- push_script: stores a script's (or flow's) content by hash and makes it the current version of its path.
--
-- KEYS: [1] the content key (`content:<sha256>`), [2] the script's hash, [3] its versions set,
-- [4] the scripts index, [5] (optional) the content's lock key (`content:<sha256>:lock`).
-- ARGV: [1] path, [2] sha256, [3] language, [4] content, [5] summary, [6] (optional) the lock
-- resolved for this content (Python: uv's hash-pinned requirements; TypeScript: Deno's lockfile and import pins).
-- Guarantees: content (and its lock) is written once per hash and never changed; older versions
-- stay readable by hash, each with its own lock. Returns 1 when this content is new for the path,
-- 0 when it was already current.
local now = now_ms()
redis.call('SET', KEYS[1], ARGV[4], 'NX')
if KEYS[5] and ARGV[6] and ARGV[6] ~= '' then redis.call('SET', KEYS[5], ARGV[6], 'NX') end
local current = redis.call('HGET', KEYS[2], SCRIPT.hash)
redis.call('HSET', KEYS[2], SCRIPT.path, ARGV[1], SCRIPT.hash, ARGV[2], SCRIPT.language, ARGV[3], SCRIPT.summary, ARGV[5])
if current == ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], SCRIPT.updated_at, now)
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('ZADD', KEYS[4], now, ARGV[1])
return 1
