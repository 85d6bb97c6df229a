import SluiceCore

/// The constants every Lua script starts with, generated from the Swift definitions so the data
/// model is written once: the key segments (``KeySpace/Segment``), the final job states
/// (``JobState/isFinal``), the gate states that still accept decisions (``GateState``) and the
/// job defaults (``JobDefaults``).
enum LuaPrelude {
    static let source: String = {
        func set(_ names: [String]) -> String { "{" + names.map { "['\($0)'] = true" }.joined(separator: ", ") + "}" }
        let keys = KeySpace.Segment.lua.map { "\($0.0) = '\($0.1)'" }.joined(separator: ", ")
        return """
            -- Generated from Swift (SluiceStore/Scripts/LuaPrelude.swift): the key layout, state sets and defaults.
            local KEY = {\(keys)}
            local FINAL_STATES = \(set(JobState.allCases.filter(\.isFinal).map(\.rawValue)))
            local GATE_ACCEPTING = \(set(GateState.accepting))
            local DEFAULT_MAX_DELIVERIES = \(JobDefaults.maxDeliveries)

            """
    }()
}
