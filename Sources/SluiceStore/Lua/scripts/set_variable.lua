-- set_variable: creates a variable or replaces its value. A secret arrives sealed (HPKE, to the
-- secrets public key): Redis never sees its plaintext.
--
-- KEYS: [1] the variable's hash, [2] the variables index, [3] the secrets key hash.
-- ARGV: [1] path, [2] the value — its text, or a secret's sealed form, [3] `1` for a secret or `0`,
-- [4] the id of the key a secret was sealed to (`''` for a plain value), [5] that public key
-- (base64), [6] `1` when [7] replaces the description (else it is kept), [7] the description,
-- [8] `1` when [9] replaces the access rule (else it is kept), [9] the path prefixes allowed to
-- read it, a JSON array (`[]`: every job), [10] (optional) the version the caller's decision was
-- made from (`0`: the variable must not exist yet; absent or `''`: any) — a job's `set_variable`.
-- Guarantees: with [10], nothing changes unless the variable is still at that version (else
-- {'refused', …}: it changed since it was read); a secret is stored only sealed to the registered secrets key — the first secret
-- registers it — so every secret opens with the key workers hold; a secret is never turned into
-- a plain variable in place (its sealed text would become its value); the description and the
-- access rule stay as they were unless given. `version` goes up. Returns {'ok', 1 if created else
-- 0, version} or {'refused', why}.
local key = KEYS[1]
local current = hash_fields(key, VARIABLE.secret, VARIABLE.version, VARIABLE.created_at)
if ARGV[10] and ARGV[10] ~= '' and (current.version or '0') ~= ARGV[10] then
  return {'refused', ARGV[1] .. ' changed while it was being set (version ' .. (current.version or 'none') .. '); set it again'}
end
if current.secret == '1' and ARGV[3] ~= '1' then
  return {'refused', ARGV[1] .. ' is a secret: set it with --secret (or delete it first)'}
end
local now = now_ms()
if ARGV[3] == '1' then
  local registered = hash_fields(KEYS[3], SECRETS_KEY.key_id)
  if not registered.key_id then
    redis.call('HSET', KEYS[3], SECRETS_KEY.key_id, ARGV[4], SECRETS_KEY.public_key, ARGV[5], SECRETS_KEY.updated_at, now)
  elseif registered.key_id ~= ARGV[4] then
    return {'refused', 'the value is sealed to key ' .. ARGV[4] .. ' but the secrets key is ' .. registered.key_id ..
      ' (rotated with sluice secrets rotate?): seal it with the current public key'}
  end
end
local version = tonumber(current.version or '0') + 1
redis.call('HSET', key, VARIABLE.path, ARGV[1], VARIABLE.value, ARGV[2], VARIABLE.version, version, VARIABLE.updated_at, now,
  VARIABLE.created_at, current.created_at or now)
if ARGV[3] == '1' then
  redis.call('HSET', key, VARIABLE.secret, '1', VARIABLE.key_id, ARGV[4])
else
  redis.call('HDEL', key, VARIABLE.secret, VARIABLE.key_id)
end
set_optional_field(key, VARIABLE.description, ARGV[6], ARGV[7], '')
set_optional_field(key, VARIABLE.allow, ARGV[8], ARGV[9], '[]')
redis.call('ZADD', KEYS[2], now, ARGV[1])
return {'ok', current.version and 0 or 1, version}
