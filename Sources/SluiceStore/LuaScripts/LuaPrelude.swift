import SluiceCore

/// The data model's names as the Lua writes them, and the constants a script starts with,
/// generated from the Swift definitions so the data model is written once.
///
/// Names are tables (``tables``), each a Lua name → the stored name or value:
/// - the key segments (``KeySpace/Segment``): `KEY.job`;
/// - the fields of every hash a script reads or writes, keyed by the stored name itself — the job
///   (``JobRecord/Field``: `JOB.created_at`), the gate (``GateRecord/Field``: `GATE.deadline`), the
///   schedule (``ScheduleRecord/Field``: `SCHEDULE.next_due`), the variable, the resource, the
///   secrets key, the token, the script or flow, the worker and the rate bucket (`VARIABLE`,
///   `RESOURCE`, `SECRETS_KEY`, `TOKEN`, `SCRIPT`, `WORKER`, `RATE_BUCKET`);
/// - the values scripts compare or store: the job kinds, job states and gate states (``JobKind``,
///   ``JobState``, ``GateState``: `JOB_KIND.step`, `JOB_STATE.running`, `GATE_STATE.open`), a flow
///   frame's record fields and statuses (``FrameRecord``: `record[FRAME.status] ==
///   FRAME_STATUS.park`), a container's record fields (``ContainerRecord/Field``:
///   `c[CONTAINER.launched]`), the flow operations and join dispositions (``FlowOperation/Name``,
///   ``FlowOperation/JoinDisposition``: `FLOW_OP.park`, `JOIN_DISPOSITION.fail`), how a schedule's
///   tick went (``TickOutcome/Kind``, ``ScheduleRun/Kind``: `TICK_OUTCOME.skipped`,
///   `SCHEDULE_RUN_KIND.catch_up`).
///
/// The names never reach Redis as tables: when a script is put together every `TABLE.name` in
/// its code is replaced by the value it stands for (``program(_:keys:)``, ``LuaNameInlining``),
/// since Redis runs a script's whole chunk on every call and a table built there would cost every
/// call. A name its table does not define makes the script raise `unknown <what> <name>` (a
/// misspelt `JOB.craeted_at` fails loudly instead of reading nil), and a test checks statically
/// that every `TABLE.name` in the Lua is one the table defines, and that no Lua quotes a field's
/// stored name or a state's. A script also starts with the sets and defaults its code names
/// (``constants``): the final job states (``JobState/isFinal``), the gate states that still accept
/// decisions (``GateState``), the operation names `apply_ops` knows, the job defaults
/// (``JobDefaults``), the field in which a flow's first step carries its scope request
/// (``FlowSnapshot/Request/stepField``) and the member by which a plan names a text sent beside
/// it (``PlanTexts/reference``).
enum LuaPrelude {
    /// One table of names.
    struct Table: Sendable {
        /// Its Lua name: `JOB`.
        var name: String
        /// What one of its entries is, for the error a misspelt one raises: `job field`.
        var what: String
        /// Lua name → stored name (or value), in the Swift definition's order.
        var entries: [(name: String, value: String)]

        init(_ name: String, _ what: String, _ entries: [(String, String)]) {
            self.name = name
            self.what = what
            self.entries = entries.map { (name: $0.0, value: $0.1) }
        }

        /// A table whose Lua names are the stored names themselves (hash fields, states, kinds).
        init(_ name: String, _ what: String, stored: [String]) {
            self.init(name, what, stored.map { ($0, $0) })
        }
    }

    /// The tables of names, in the order the prelude defines them.
    static let tables: [Table] = [
        Table("KEY", "key segment", KeySpace.Segment.lua),
        Table("JOB", "job field", stored: JobRecord.Field.allCases.map(\.rawValue)),
        Table("JOB_KIND", "job kind", stored: JobKind.allCases.map(\.rawValue)),
        Table("JOB_STATE", "job state", stored: JobState.allCases.map(\.rawValue)),
        Table("GATE", "gate field", stored: GateRecord.Field.allCases.map(\.rawValue)),
        Table("GATE_STATE", "gate state", stored: GateState.allCases.map(\.rawValue)),
        Table("FRAME", "frame field", FrameRecord.Field.allCases.map { ("\($0)", $0.rawValue) }),
        Table("FRAME_STATUS", "frame status", stored: FrameRecord.Status.allCases.map(\.rawValue)),
        Table("CONTAINER", "container field", ContainerRecord.Field.allCases.map { ("\($0)", $0.rawValue) }),
        Table("FLOW_OP", "flow operation", stored: FlowOperation.Name.allCases.map(\.rawValue)),
        Table("JOIN_DISPOSITION", "join disposition", stored: FlowOperation.JoinDisposition.allCases.map(\.rawValue)),
        Table("SCHEDULE", "schedule field", stored: ScheduleRecord.Field.allCases.map(\.rawValue)),
        Table("SCHEDULE_RUN_KIND", "schedule run kind", stored: ScheduleRun.Kind.allCases.map(\.rawValue)),
        Table("TICK_OUTCOME", "tick outcome", stored: TickOutcome.Kind.allCases.map(\.rawValue)),
        Table("VARIABLE", "variable field", stored: StoredVariable.Field.allCases.map(\.rawValue)),
        Table("RESOURCE", "resource field", stored: StoredResource.Field.allCases.map(\.rawValue)),
        Table("SECRETS_KEY", "secrets key field", stored: SecretsKeyField.allCases.map(\.rawValue)),
        Table("TOKEN", "token field", stored: TriggerToken.Field.allCases.map(\.rawValue)),
        Table("SCRIPT", "script field", stored: StoredScript.Field.allCases.map(\.rawValue)),
        Table("WORKER", "worker field", stored: WorkerStatus.Field.allCases.map(\.rawValue)),
        Table("RATE_BUCKET", "rate bucket field", stored: RateLimit.BucketField.allCases.map(\.rawValue)),
    ]

    /// The sets and defaults, each by its Lua name with its value.
    static let constants: [(name: String, value: String)] = [
        ("FINAL_STATES", set(JobState.allCases.filter(\.isFinal).map(\.rawValue))),
        ("GATE_ACCEPTING", set(GateState.accepting)),
        ("FLOW_OPERATIONS", set(FlowOperation.Name.allCases.map(\.rawValue))),
        ("DEFAULT_MAX_DELIVERIES", "\(JobDefaults.maxDeliveries)"),
        ("DEFAULT_QUEUE", quoted(JobDefaults.queue)),
        ("SCOPE_FIELD", quoted(FlowSnapshot.Request.stepField)),
        ("TEXT_REFERENCE", quoted(PlanTexts.reference)),
    ]

    /// What Redis gets for a script whose code (helpers and body) is `code`, after `keys` (its `K`
    /// table): the constants the code names, then the code with every `TABLE.name` replaced by
    /// the value it stands for (``LuaNameInlining``) — Redis builds no table of names on any call.
    /// A name its table does not define (a misspelling, which a test finds first) makes the script
    /// raise `unknown <what> <name>` as soon as it runs.
    static func program(_ code: String, keys: String = "") -> String {
        let inlined = LuaNameInlining(code, tables: tables)
        var lines = ["-- Generated from Swift (SluiceStore/LuaScripts/LuaPrelude.swift): names inlined, the constants the code names."]
        if let unknown = inlined.unknown.first { lines.append("error(\(quoted("unknown \(unknown.what) \(unknown.name)")))") }
        let identifiers = LuaAssembly.identifiers(in: LuaAssembly.withoutComments(inlined.code))
        lines += constants.filter { identifiers.contains($0.name) }.map { "local \($0.name) = \($0.value)" }
        return lines.joined(separator: "\n") + "\n" + keys + inlined.code
    }

    /// A Lua set of `values`: `{['success'] = true, …}`.
    private static func set(_ values: [String]) -> String {
        "{" + values.map { "[\(quoted($0))] = true" }.joined(separator: ", ") + "}"
    }

    /// `text` as a single-quoted Lua string.
    static func quoted(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "'" { escaped.append("\\") }
            escaped.append(character)
        }
        return "'" + escaped + "'"
    }

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
