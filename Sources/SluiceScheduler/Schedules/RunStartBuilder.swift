import Foundation
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore

/// Builds what a tick or an on-failure handler starts, from what its path holds now: a script job,
/// a flow's start decision (through the flow runtime: input checked against the flow's schema,
/// first step), or — when neither can start — a job that fails at once with the reason.
struct RunStartBuilder: Sendable {
    let engine: FlowEngine

    /// What `path` starts with `arguments`; `fields` go into the job's hash. A flow's schema
    /// refusing the input, or a path holding nothing, gives ``RunStart/failed(_:error:)``.
    func start(
        path: String, target: RunTarget, arguments: JSONValue, queue: String, createdBy: String?, fields: [(String, String)],
        on connection: RedisConnection
    ) throws(RedisError) -> RunStart {
        let id = JobID(milliseconds: UInt64(max(0, Date().timeIntervalSince1970 * 1000)))
        var request = EnqueueRequest(
            id: id, kind: .script, queue: queue, arguments: arguments, path: path, createdBy: createdBy, extraFields: fields)
        switch target {
        case .script(let hash, let language):
            request.scriptHash = hash
            request.language = language
            return .job(request)
        case .flow(let stored):
            request.kind = .flow
            let start = FlowEngine.Start(id: id, path: path, input: arguments, queue: queue, createdBy: createdBy, extraFields: fields)
            do {
                return .flow(try engine.startDecision(start, version: stored, on: connection))
            } catch let error as RedisError {
                throw error
            } catch {
                return .failed(request, error: "the flow could not start: \(error)")
            }
        case .missing:
            return .failed(request, error: "no script or flow at '\(path)'")
        }
    }
}

/// The arguments of an on-failure run: `error` (`{name, message}`, as flows show errors),
/// `schedule`, `job_id`, `path`, `tick` (ISO 8601, UTC), `attempts`, `started_at`/`failed_at` (ms).
enum OnFailureArguments {
    static func of(_ job: JobRecord, schedule: String) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("error", ["name": job.kind == .flow ? "FlowError" : "ScriptError", "message": .string(job.error ?? "")]),
            ("schedule", .string(schedule)), ("job_id", .string(job.id.rawValue)), ("path", job.path.map(JSONValue.string) ?? .null),
        ]
        if let tick = job.scheduleTick.flatMap({ Int64($0) }) {
            members.append(("tick", .string(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(tick))))))
        }
        members.append(("attempts", .number(Double(job.attempt))))
        if let started = job.startedAt ?? (job.kind == .flow ? job.createdAt : nil) { members.append(("started_at", .number(Double(started)))) }
        if let finished = job.finishedAt { members.append(("failed_at", .number(Double(finished)))) }
        return JSONValue(members: members)
    }
}
