-- rotate_secrets: re-seals every secret to a new secrets key, and makes it the registered key,
-- all at once.
--
-- KEYS: [1] the namespace (`P:`; each variable's hash is built from it), [2] the secrets key
-- hash, [3] the variables index.
-- ARGV: [1] the id of the key being replaced (the registered one), [2] the new key's id, [3] the
-- new public key (base64), then for each secret three values: its path, its sealed value as the
-- caller read it, its value sealed to the new key.
-- Guarantees: nothing changes unless the registered key is still [1], every secret of the index
-- is in the list, and each still holds the sealed value the caller read (a secret set meanwhile
-- makes the whole rotation `stale`: the caller reads again and retries); then every secret and
-- the registered key change in this one step, so no secret is ever sealed to a key that is not
-- registered. Returns {'ok', count}, {'stale', path} or {'refused', why}.
local registered = hash_fields(KEYS[2], SECRETS_KEY.key_id)
if (registered.key_id or '') ~= ARGV[1] then
  return {'refused', 'the secrets key is ' .. (registered.key_id or 'not registered') .. ', not ' .. ARGV[1]}
end
local given = {}
for i = 4, #ARGV, 3 do given[ARGV[i]] = {ARGV[i + 1], ARGV[i + 2]} end
for _, path in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local v = hash_fields(KEYS[1] .. KEY.variable .. path, VARIABLE.secret, VARIABLE.value)
  if v.secret == '1' then
    local entry = given[path]
    if not entry or entry[1] ~= v.value then return {'stale', path} end
  end
end
local count = 0
for path, entry in pairs(given) do
  local key = KEYS[1] .. KEY.variable .. path
  if redis.call('HGET', key, VARIABLE.secret) ~= '1' then return {'stale', path} end
  count = count + 1
end
local now = now_ms()
for path, entry in pairs(given) do
  local key = KEYS[1] .. KEY.variable .. path
  redis.call('HSET', key, VARIABLE.value, entry[2], VARIABLE.key_id, ARGV[2], VARIABLE.updated_at, now)
  redis.call('HINCRBY', key, VARIABLE.version, 1)
end
redis.call('HSET', KEYS[2], SECRETS_KEY.key_id, ARGV[2], SECRETS_KEY.public_key, ARGV[3], SECRETS_KEY.updated_at, now)
return {'ok', count}
