-- read_gate_secret: what a link's token is checked against, read so that a gate that does not
-- exist looks, to whoever sends links, exactly like one that does.
--
-- KEYS: [1] the gate hash.
-- ARGV: [1] a stand-in secret: fresh random, as long as a real one.
-- Guarantees: one reply of the same size whether the gate exists or not — its secret, or the
-- stand-in (no token can match a fresh random secret). Reads nothing else, changes nothing.
return redis.call('HGET', KEYS[1], GATE.secret) or ARGV[1]
