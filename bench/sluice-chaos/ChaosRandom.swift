/// The chaos suite's only source of randomness: SplitMix64 from a seed, so a run's choices — which
/// worker dies when, which durations, which requests — replay exactly from `CHAOS_SEED`. (What the
/// operating system's scheduler does with those choices does not replay; the seed narrows a
/// failure down, it cannot freeze time.)
struct ChaosRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// A generator of its own for one part of a run (a scenario), derived from the run's seed, so
    /// running one scenario alone makes the same choices as in the whole run.
    static func forScenario(_ name: String, seed: UInt64) -> ChaosRandom {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return ChaosRandom(seed: seed ^ hash)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
