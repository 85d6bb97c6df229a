-- set_resource: creates a resource (a typed JSON object) or replaces its value.
--
-- KEYS: [1] the resource's hash, [2] the resources index.
-- ARGV: [1] path, [2] the resource type (e.g. `postgresql`), [3] the value, JSON (its string
-- fields may be `$var:PATH` references, resolved when a job reads it), [4] `1` when [5] replaces
-- the description (else it is kept), [5] the description, [6] `1` when [7] replaces the access
-- rule (else it is kept), [7] the path prefixes allowed to read it, a JSON array (`[]`: every job),
-- [8] (optional) the version the caller's decision was made from (`0`: it must not exist yet;
-- absent or `''`: any) — a job's `set_resource`.
-- Guarantees: with [8], nothing changes unless the resource is still at that version (else
-- {'refused', …}); the value and type are replaced together; the description and access rule stay as
-- they were unless given; `version` goes up. Returns {'ok', 1 if created else 0, version}.
local key = KEYS[1]
local current = hash_fields(key, RESOURCE.version, RESOURCE.created_at)
if ARGV[8] and ARGV[8] ~= '' and (current.version or '0') ~= ARGV[8] then
  return {'refused', ARGV[1] .. ' changed while it was being set (version ' .. (current.version or 'none') .. '); set it again'}
end
local now = now_ms()
local version = tonumber(current.version or '0') + 1
redis.call('HSET', key, RESOURCE.path, ARGV[1], RESOURCE.type, ARGV[2], RESOURCE.value, ARGV[3], RESOURCE.version, version,
  RESOURCE.updated_at, now, RESOURCE.created_at, current.created_at or now)
set_optional_field(key, RESOURCE.description, ARGV[4], ARGV[5], '')
set_optional_field(key, RESOURCE.allow, ARGV[6], ARGV[7], '[]')
redis.call('ZADD', KEYS[2], now, ARGV[1])
return {'ok', current.version and 0 or 1, version}
