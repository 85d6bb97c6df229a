import Foundation
public import SluiceCore
import SluiceFlows
public import SluiceRedis
import SluiceRuntime
public import SluiceStore

/// Starting a script or a flow from its run form, as the operator: a flow through the flow
/// runtime's start (its input checked against the flow's schema by the code `sluice run` uses),
/// a script queued as `sluice run` queues it. Recorded in the ``AuditLog``.
public struct RunAction: Sendable {
    public let jobs: JobStore
    let engine: FlowEngine
    let audit: AuditLog

    public init(jobs: JobStore) {
        self.jobs = jobs
        engine = FlowEngine(flows: FlowStore(keys: jobs.keys, settings: jobs.settings))
        audit = AuditLog(keys: jobs.keys)
    }

    /// What the form asks for.
    public struct Request: Sendable {
        public var flow: Bool
        public var path: String
        public var queue: String
        /// A script's arguments (JSON text, an object).
        public var arguments: String?
        /// A flow's form fields, by name.
        public var fields: [String: String]
    }

    /// Why a run did not start.
    public enum Refusal: Error, Sendable, Equatable {
        case input(ConsoleInputError)
        case notFound(String)
    }

    /// Starts it; returns the new job's id.
    public func run(_ request: Request, who: String, on connection: RedisConnection) throws -> Result<JobID, Refusal> {
        guard QueueName.isValid(request.queue) else { return .failure(.input(ConsoleInputError(field: "queue", "is not a valid queue name"))) }
        let id = JobID(milliseconds: UInt64(try connection.serverMilliseconds()))
        let outcome: Result<JobID, Refusal>
        if request.flow {
            outcome = try startFlow(request, id: id, who: who, on: connection)
        } else {
            outcome = try startScript(request, id: id, who: who, on: connection)
        }
        let described: String
        switch outcome {
        case .success(let id): described = "started \(id.rawValue)"
        case .failure(.input(let error)): described = "refused: \(error)"
        case .failure(.notFound(let why)): described = "refused: \(why)"
        }
        try audit.record(who: who, action: "run", target: request.path, outcome: described, on: connection)
        return outcome
    }

    private func startFlow(_ request: Request, id: JobID, who: String, on connection: RedisConnection) throws -> Result<JobID, Refusal> {
        guard let page = try Catalogue.flow(request.path, keys: jobs.keys, on: connection) else {
            return .failure(.notFound("no flow at '\(request.path)'"))
        }
        let input: JSONValue
        do {
            if let schema = page.definition?.schema.flatMap({ try? JSONSchema($0, lenient: true) }) {
                input = try RunFormFields.values(request.fields, schema: schema)
            } else {
                input = try Self.object(request.arguments)
            }
        } catch {
            return .failure(.input(error))
        }
        do {
            let started = try engine.start(
                FlowEngine.Start(id: id, path: request.path, input: input, queue: request.queue, createdBy: who), version: page.flow, on: connection)
            return .success(started)
        } catch FlowStartError.invalidInput(let message) {
            // The schema's own words name the field (`flow_input.<name>: …`).
            let parts = message.split(separator: ":", maxSplits: 1)
            let field = parts.count == 2 ? String(parts[0]) : "flow_input"
            let problem = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : message
            return .failure(.input(ConsoleInputError(field: field, problem)))
        } catch let error as FlowStartError {
            return .failure(.notFound("\(error)"))
        }
    }

    private func startScript(_ request: Request, id: JobID, who: String, on connection: RedisConnection) throws -> Result<JobID, Refusal> {
        guard let script = try ScriptStore(keys: jobs.keys).script(at: request.path, on: connection) else {
            return .failure(.notFound("no script at '\(request.path)'"))
        }
        let arguments: JSONValue
        do {
            arguments = try Self.object(request.arguments)
        } catch {
            return .failure(.input(error))
        }
        _ = try jobs.enqueue(
            EnqueueRequest(
                id: id, kind: .script, queue: request.queue, arguments: arguments, path: script.path, scriptHash: script.hash,
                language: script.language, createdBy: who),
            on: connection)
        return .success(id)
    }

    /// The `args` field: a JSON object (empty: `{}`).
    static func object(_ text: String?) throws(ConsoleInputError) -> JSONValue {
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !trimmed.isEmpty else { return .emptyObject }
        guard let value = try? JSONValue(parsing: trimmed, maximumDepth: JSONValue.maximumInputDepth), value.memberList != nil else {
            throw ConsoleInputError(field: "args", "must be a JSON object")
        }
        return value
    }
}
