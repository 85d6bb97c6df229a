-- delete_variable: removes a variable (or a resource: the same two keys).
--
-- KEYS: [1] the variable's (or resource's) hash, [2] its index.
-- ARGV: [1] path.
-- Guarantees: the hash and its index entry go together. Jobs that already read the value keep
-- what they read; later reads find nothing. Returns 1, or 0 when there was nothing at the path.
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return existed
