public import SluiceCore

/// What a job asks to start through its channel (`run`): a script by path or by the hash of one of
/// its stored versions, or a flow by path; the arguments (an object), and optionally the queue
/// and a delay.
public struct CallTarget: Sendable, Equatable {
    public enum Runnable: Sendable, Equatable {
        case scriptPath(String)
        case scriptHash(String)
        case flow(String)
    }

    public var runnable: Runnable
    public var arguments: JSONValue
    public var queue: String?
    /// Windmill's `scheduled_in_secs`: start it that many seconds from now.
    public var delaySeconds: Double?

    /// The most a call may be delayed: a year.
    public static let maximumDelay: Double = 365 * 24 * 3600

    /// The target a `run` request names, or why it names none.
    static func parse(_ message: JSONValue) -> Result<CallTarget, ChannelResponse> {
        let kind = message["kind"]?.stringValue ?? "script"
        let path = message["path"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let hash = message["hash"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let runnable: Runnable
        switch (kind, path, hash) {
        case ("script", let path?, nil), ("flow", let path?, nil):
            guard ScriptPath(path) != nil else { return .failure(.invalid("'\(path)' is not a valid path")) }
            runnable = kind == "flow" ? .flow(path) : .scriptPath(path)
        case ("script", nil, let hash?):
            guard hash.utf8.count == 64, hash.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                return .failure(
                    .invalid(
                        "'\(hash)' is not a script version's hash (the SHA-256 of its content, 64 hex digits: sluice script show PATH --versions)"))
            }
            runnable = .scriptHash(hash)
        case ("script", _?, _?): return .failure(.invalid("give a path or a hash, not both"))
        case ("script", nil, nil), ("flow", nil, _): return .failure(.invalid("run needs the path of the \(kind) to start"))
        case ("flow", _, _?): return .failure(.invalid("a flow is started by its path"))
        default: return .failure(.invalid("kind must be script or flow"))
        }
        let arguments: JSONValue
        switch message["args"] {
        case .none, .null?: arguments = .emptyObject
        case .object?: arguments = message["args"] ?? .emptyObject
        default: return .failure(.invalid("args must be an object of the arguments by name"))
        }
        var queue: String?
        if let given = message["queue"], given != .null {
            guard let name = given.stringValue, QueueName.isValid(name) else {
                return .failure(.invalid("queue must be a queue name (letters, digits, _ - .)"))
            }
            queue = name
        }
        var delay: Double?
        if let given = message["scheduled_in_secs"], given != .null {
            guard let seconds = given.numberValue, seconds >= 0, seconds <= maximumDelay else {
                return .failure(.invalid("scheduled_in_secs must be a number of seconds from 0 to \(Int(maximumDelay))"))
            }
            delay = seconds
        }
        return .success(CallTarget(runnable: runnable, arguments: arguments, queue: queue, delaySeconds: delay))
    }
}
