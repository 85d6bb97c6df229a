import SluiceRedis

/// The Lua scripts of the store: one per state transition, each in its own file under `Lua/scripts`
/// (compiled in by SwiftPM's `embedInCode`, so an installed binary never looks for resource files;
/// each file is named here once, and a test checks that every file in `Lua/` is)
/// with its KEYS, ARGV and what it guarantees written at its top (the shared keys its helpers use
/// follow its own KEYS: ``StoreScript``), sharing the helpers of
/// `Lua/include` (jobs, gates, flows, calls, schedules, variables). Each script's source is the generated prelude, the
/// includes it uses, then its body.
enum StoreScripts {
    static let enqueueJob = script("enqueue_job", PackageResources.enqueue_job_lua)
    static let fetchJob = script("fetch_job", PackageResources.fetch_job_lua)
    static let completeJob = script("complete_job", PackageResources.complete_job_lua)
    static let renewLeases = script("renew_leases", PackageResources.renew_leases_lua)
    static let requeueJob = script("requeue_job", PackageResources.requeue_job_lua)
    static let reclaimExpiredLeases = script("reclaim_expired_leases", PackageResources.reclaim_expired_leases_lua)
    static let promoteDueJobs = script("promote_due_jobs", PackageResources.promote_due_jobs_lua)
    static let cancelJob = script("cancel_job", PackageResources.cancel_job_lua)
    static let deleteJob = script("delete_job", PackageResources.delete_job_lua)
    static let writeLiveLogs = script("write_live_logs", PackageResources.write_live_logs_lua)
    static let readStepOutcomes = script("read_step_outcomes", PackageResources.read_step_outcomes_lua)
    static let watchJob = script("watch_job", PackageResources.watch_job_lua)
    static let pushScript = script("push_script", PackageResources.push_script_lua)
    static let advanceFlow = script("advance_flow", PackageResources.advance_flow_lua)
    static let openPendingGate = script("open_pending_gate", PackageResources.open_pending_gate_lua)
    static let recordApproval = script("record_approval", PackageResources.record_approval_lua)
    static let readGateSecret = script("read_gate_secret", PackageResources.read_gate_secret_lua)
    static let auditFlows = script("audit_flows", PackageResources.audit_flows_lua)
    static let releaseWorker = script("release_worker", PackageResources.release_worker_lua)
    static let fireGateDeadlines = script("fire_gate_deadlines", PackageResources.fire_gate_deadlines_lua)
    static let setSchedule = script("set_schedule", PackageResources.set_schedule_lua)
    static let setScheduleEnabled = script("set_schedule_enabled", PackageResources.set_schedule_enabled_lua)
    static let deleteSchedule = script("delete_schedule", PackageResources.delete_schedule_lua)
    static let fireScheduleTick = script("fire_schedule_tick", PackageResources.fire_schedule_tick_lua)
    static let settleScheduleRun = script("settle_schedule_run", PackageResources.settle_schedule_run_lua)
    static let setVariable = script("set_variable", PackageResources.set_variable_lua)
    static let setResource = script("set_resource", PackageResources.set_resource_lua)
    static let deleteVariable = script("delete_variable", PackageResources.delete_variable_lua)
    static let rotateSecrets = script("rotate_secrets", PackageResources.rotate_secrets_lua)
    static let createToken = script("create_token", PackageResources.create_token_lua)
    static let revokeToken = script("revoke_token", PackageResources.revoke_token_lua)
    static let takeRate = script("take_rate", PackageResources.take_rate_lua)
    static let startCall = script("start_call", PackageResources.start_call_lua)
    static let cancelCalls = script("cancel_calls", PackageResources.cancel_calls_lua)
    static let setCallers = script("set_callers", PackageResources.set_callers_lua)

    /// Every script, for checks and for loading them all at once.
    static let all: [StoreScript] = [
        enqueueJob, fetchJob, completeJob, renewLeases, requeueJob, reclaimExpiredLeases, promoteDueJobs, cancelJob, watchJob, pushScript,
        advanceFlow, openPendingGate, recordApproval, readGateSecret, auditFlows, releaseWorker, fireGateDeadlines, setSchedule, setScheduleEnabled,
        deleteSchedule,
        fireScheduleTick,
        settleScheduleRun, setVariable, setResource, deleteVariable, rotateSecrets, createToken, revokeToken, takeRate, startCall, cancelCalls,
        setCallers, deleteJob, writeLiveLogs, readStepOutcomes,
    ]

    /// The shared helpers (`Lua/include/<name>.lua`), in the order they build on each other.
    static let includeFiles: [(name: String, source: [UInt8])] = [
        ("jobs", PackageResources.jobs_lua), ("gates", PackageResources.gates_lua), ("flows", PackageResources.flows_lua),
        ("calls", PackageResources.calls_lua), ("schedules", PackageResources.schedules_lua),
        ("variables", PackageResources.variables_lua),
    ]

    /// The shared helpers' definitions, in the order they build on each other.
    static let includes = includeFiles.map { String(decoding: $0.source, as: UTF8.self) }.flatMap(LuaAssembly.definitions(in:))

    /// The script `name`: its helpers and body with the prelude's names inlined, after the
    /// constants they use and the `K` table of the shared keys they use (in ``KeySpace/SharedKey``
    /// order): ``LuaPrelude/program(_:keys:)``.
    static func script(_ name: String, _ source: [UInt8]) -> StoreScript {
        let body = String(decoding: source, as: UTF8.self)
        let code = LuaAssembly.assemble(includes: includes, body: body)
        let used = LuaAssembly.sharedKeyNames(in: code)
        let shared = KeySpace.SharedKey.allCases.filter { used.contains($0.rawValue) }
        let program = LuaPrelude.program(code, keys: shared.isEmpty ? "" : LuaPrelude.sharedKeys(shared))
        return StoreScript(redis: RedisScript(name: name, source: program), sharedKeys: shared, code: code)
    }
}
