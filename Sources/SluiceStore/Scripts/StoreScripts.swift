import SluiceRedis

/// The Lua scripts of the store: one per state transition, each documented with its KEYS, ARGV and
/// what it guarantees. Each lives in its own file as a static member of this namespace.
enum StoreScripts {}
