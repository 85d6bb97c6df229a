public import SluiceCore

/// What a job asks the worker through its channel: one JSON object per line,
/// `{"token": T, "op": OP, …}`, answered by one ``ChannelResponse`` line.
///
/// | op | fields | answers |
/// |---|---|---|
/// | `get_variable` | `path` | the variable's value (a string) |
/// | `get_resource` | `path` | the resource's value, its `$var:` fields resolved |
/// | `get_state` | | the state of the script (or flow step), `null` when none |
/// | `set_state` | `value` | `null` |
/// | `get_resume_urls` | `approver` (optional) | `{approvalPage, resume, cancel}` of the step's gate |
/// | `run` | `kind` (`script`, `flow`), `path` or (a script) `hash`, `args`, `queue`, `scheduled_in_secs` | the started job's id |
/// | `wait` | `id`, `timeout` (seconds, optional) | the job's result once it succeeded (its failure otherwise) |
/// | `job_status` | `id` | `WAITING`, `RUNNING` or `COMPLETED` |
/// | `get_result` | `id` | the result of a job that succeeded |
/// | `cancel_job` | `id`, `reason` (optional) | `null` |
/// | `set_variable` | `path`, `value` (a string), `is_secret`, `description` (optional) | `null` |
/// | `set_resource` | `path`, `value`, `type` (optional) | `null` |
///
/// `wait`, `job_status`, `get_result` and `cancel_job` name only jobs this job started.
public enum ChannelRequest: Sendable, Equatable {
    case getVariable(path: String)
    case getResource(path: String)
    case getState
    case setState(JSONValue)
    case resumeURLs(approver: String?)
    case run(CallTarget)
    case wait(JobID, timeout: Double?)
    case jobStatus(JobID)
    case result(JobID)
    case cancelJob(JobID, reason: String?)
    case setVariable(path: String, value: String, secret: Bool?, description: String?)
    case setResource(path: String, value: JSONValue, type: String?)

    /// The operations, by name.
    static let operations = [
        "get_variable", "get_resource", "get_state", "set_state", "get_resume_urls", "run", "wait", "job_status", "get_result", "cancel_job",
        "set_variable", "set_resource",
    ]

    /// Whether answering it may take long (waiting for a job): answered beside the job's other requests.
    var waits: Bool {
        if case .wait = self { return true }
        return false
    }

    /// The request in `message` (its token already checked), or the error to answer.
    static func parse(_ message: JSONValue) -> Result<ChannelRequest, ChannelResponse> {
        guard let operation = message["op"]?.stringValue else { return .failure(.invalid("the request names no op")) }
        func path() -> Result<String, ChannelResponse> {
            guard let path = message["path"]?.stringValue else { return .failure(.invalid("\(operation) needs a path")) }
            guard ScriptPath(path) != nil else { return .failure(.invalid("'\(path)' is not a valid path")) }
            return .success(path)
        }
        switch operation {
        case "get_variable": return path().map { .getVariable(path: $0) }
        case "get_resource": return path().map { .getResource(path: $0) }
        case "get_state": return .success(.getState)
        case "set_state": return .success(.setState(message["value"] ?? .null))
        case "get_resume_urls":
            switch message["approver"] {
            case .none, .null?: return .success(.resumeURLs(approver: nil))
            case .string(let name)? where !name.isEmpty: return .success(.resumeURLs(approver: name))
            default: return .failure(.invalid("approver must be a non-empty string"))
            }
        case "run": return CallTarget.parse(message).map { .run($0) }
        case "wait", "job_status", "get_result", "cancel_job": return parseJobRequest(operation, message)
        case "set_variable", "set_resource": return parseWrite(operation, message, path: path)
        default:
            return .failure(.invalid("unknown op '\(operation)' (known: \(operations.joined(separator: ", ")))"))
        }
    }
}

/// The worker's answer to one channel request.
public enum ChannelResponse: Error, Sendable, Equatable {
    case value(JSONValue)
    /// Why there is no value, and what kind of failure it is (`permission`, `not_found`, `invalid`, `error`).
    case failure(kind: String, message: String)

    public static func invalid(_ message: String) -> ChannelResponse { .failure(kind: "invalid", message: message) }

    /// The answer for a reference that failed: a refused read is a `permission` failure.
    public static func failed(_ message: String) -> ChannelResponse {
        if message.contains("permission denied") { return .failure(kind: "permission", message: message) }
        if message.hasSuffix("does not exist") { return .failure(kind: "not_found", message: message) }
        return .failure(kind: "error", message: message)
    }

    /// The line written back: `{"ok": true, "value": …}` or `{"ok": false, "kind": …, "error": …}`.
    var line: [UInt8] {
        let object: JSONValue =
            switch self {
            case .value(let value): ["ok": true, "value": value]
            case .failure(let kind, let message): ["ok": false, "kind": .string(kind), "error": .string(message)]
            }
        return Array(object.jsonText.utf8) + [UInt8(ascii: "\n")]
    }
}
