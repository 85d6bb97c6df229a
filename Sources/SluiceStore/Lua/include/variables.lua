-- Helpers for variables and resources.

-- Sets a field a caller may leave alone: only when `given` is '1'; a `value` equal to `empty`
-- removes the field (a description of '', an access rule of '[]').
local function set_optional_field(key, field, given, value, empty)
  if given ~= '1' then return end
  if value == empty then redis.call('HDEL', key, field) else redis.call('HSET', key, field, value) end
end
