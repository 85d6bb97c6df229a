import SluiceRedis

/// The Lua scripts of the store: one per state transition, each in its own file under `Lua/scripts`
/// with its KEYS, ARGV and what it guarantees written at its top (the shared keys its helpers use
/// follow its own KEYS: ``StoreScript``), sharing the helpers of
/// `Lua/include` (jobs, gates, flows, calls, schedules, variables). Each script's source is the generated prelude, the
/// includes, then its body.
enum StoreScripts {
    static let enqueueJob = script("enqueue_job")
    static let fetchJob = script("fetch_job")
    static let completeJob = script("complete_job")
    static let renewLeases = script("renew_leases")
    static let requeueJob = script("requeue_job")
    static let reclaimExpiredLeases = script("reclaim_expired_leases")
    static let promoteDueJobs = script("promote_due_jobs")
    static let cancelJob = script("cancel_job")
    static let deleteJob = script("delete_job")
    static let watchJob = script("watch_job")
    static let pushScript = script("push_script")
    static let advanceFlow = script("advance_flow")
    static let openPendingGate = script("open_pending_gate")
    static let recordApproval = script("record_approval")
    static let readGateSecret = script("read_gate_secret")
    static let auditFlows = script("audit_flows")
    static let releaseWorker = script("release_worker")
    static let fireGateDeadlines = script("fire_gate_deadlines")
    static let setSchedule = script("set_schedule")
    static let setScheduleEnabled = script("set_schedule_enabled")
    static let deleteSchedule = script("delete_schedule")
    static let fireScheduleTick = script("fire_schedule_tick")
    static let settleScheduleRun = script("settle_schedule_run")
    static let setVariable = script("set_variable")
    static let setResource = script("set_resource")
    static let deleteVariable = script("delete_variable")
    static let rotateSecrets = script("rotate_secrets")
    static let createToken = script("create_token")
    static let revokeToken = script("revoke_token")
    static let takeRate = script("take_rate")
    static let startCall = script("start_call")
    static let cancelCalls = script("cancel_calls")
    static let setCallers = script("set_callers")

    /// Every script, for checks and for loading them all at once.
    static let all: [StoreScript] = [
        enqueueJob, fetchJob, completeJob, renewLeases, requeueJob, reclaimExpiredLeases, promoteDueJobs, cancelJob, watchJob, pushScript,
        advanceFlow, openPendingGate, recordApproval, readGateSecret, auditFlows, releaseWorker, fireGateDeadlines, setSchedule, setScheduleEnabled,
        deleteSchedule,
        fireScheduleTick,
        settleScheduleRun, setVariable, setResource, deleteVariable, rotateSecrets, createToken, revokeToken, takeRate, startCall, cancelCalls,
        setCallers, deleteJob,
    ]

    /// The shared helpers' definitions, in the order they build on each other.
    static let includes = ["jobs", "gates", "flows", "calls", "schedules", "variables"].compactMap { EmbeddedLua.includes[$0] }.flatMap(
        LuaAssembly.definitions(in:))

    /// The script `name`: its helpers and body, after the prelude and the `K` table of the shared
    /// keys they use (in ``KeySpace/SharedKey`` order).
    static func script(_ name: String) -> StoreScript {
        let body = EmbeddedLua.scripts[name] ?? "error('missing script \(name)')"
        let code = LuaAssembly.assemble(prelude: "", includes: includes, body: body)
        let used = LuaAssembly.sharedKeyNames(in: code)
        let shared = KeySpace.SharedKey.allCases.filter { used.contains($0.rawValue) }
        let prelude = LuaPrelude.source + (shared.isEmpty ? "" : LuaPrelude.sharedKeys(shared))
        return StoreScript(redis: RedisScript(name: name, source: prelude + code), sharedKeys: shared)
    }
}
