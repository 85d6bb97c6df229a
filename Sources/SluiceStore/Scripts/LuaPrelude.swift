import SluiceCore

/// The constants every Lua script starts with, generated from the Swift definitions so the data
/// model is written once: the key segments (``KeySpace/Segment``), the job and gate states
/// (``JobState``, ``GateState``: `JOB_STATE.running`, `GATE_STATE.open` — Lua never quotes a
/// state's name, a test checks it), a flow frame's record fields and statuses (``FrameRecord``:
/// `record[FRAME.status] == FRAME_STATUS.park`) and a container's record fields (``ContainerRecord/Field``:
/// `c[CONTAINER.launched]`), the final job states
/// (``JobState/isFinal``), the gate states that still accept decisions (``GateState``) and the
/// job defaults (``JobDefaults``).
enum LuaPrelude {
    static let source: String = {
        func set(_ table: String, _ names: [String]) -> String { "{" + names.map { "[\(table).\($0)] = true" }.joined(separator: ", ") + "}" }
        let keys = KeySpace.Segment.lua.map { "\($0.0) = '\($0.1)'" }.joined(separator: ", ")
        func names(_ values: [String]) -> String { "{" + values.map { "\($0) = '\($0)'" }.joined(separator: ", ") + "}" }
        return """
            -- Generated from Swift (SluiceStore/Scripts/LuaPrelude.swift): the key layout, state sets and defaults.
            local KEY = {\(keys)}
            local JOB_STATE = \(names(JobState.allCases.map(\.rawValue)))
            local GATE_STATE = \(names(GateState.allCases.map(\.rawValue)))
            local FRAME = {\(FrameRecord.Field.allCases.map { "\($0) = '\($0.rawValue)'" }.joined(separator: ", "))}
            local FRAME_STATUS = \(names(FrameRecord.Status.allCases.map(\.rawValue)))
            local CONTAINER = {\(ContainerRecord.Field.allCases.map { "\($0) = '\($0.rawValue)'" }.joined(separator: ", "))}
            local FINAL_STATES = \(set("JOB_STATE", JobState.allCases.filter(\.isFinal).map(\.rawValue)))
            local GATE_ACCEPTING = \(set("GATE_STATE", GateState.accepting))
            local DEFAULT_MAX_DELIVERIES = \(JobDefaults.maxDeliveries)

            """
    }()

    /// The `K` table of a script whose helpers use `shared`: each shared key from the end of
    /// `KEYS`, where ``StoreScript`` puts them after the script's own keys.
    static func sharedKeys(_ shared: [KeySpace.SharedKey]) -> String {
        let count = shared.count
        let fields = shared.enumerated().map { index, key in
            let back = count - 1 - index
            return "\(key.rawValue) = KEYS[#KEYS\(back == 0 ? "" : " - \(back)")]"
        }
        return "local K = {" + fields.joined(separator: ", ") + "}\n"
    }
}
