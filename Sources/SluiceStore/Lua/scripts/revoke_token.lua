-- revoke_token: deletes a trigger token: from this step on it is an unknown token, refused as one.
--
-- KEYS: [1] namespace, [2] the tokens index (name → id).
-- ARGV: [1] the token's name.
-- Guarantees: the record and the name go together. Returns 1, or 0 for no such token.
local id = redis.call('HGET', KEYS[2], ARGV[1])
if not id then return 0 end
redis.call('DEL', KEYS[1] .. KEY.token .. id)
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
