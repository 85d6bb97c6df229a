/// How a job's run ended: its result, or its error. The one outcome type every layer shares —
/// the script runner produces it, the store records it, the flow runtime decides from it.
public enum JobOutcome: Sendable, Equatable {
    case success(JSONValue)
    case failure(String)

    /// `success` or `failure`, as stored in a job's `state`.
    public var state: String {
        switch self {
        case .success: "success"
        case .failure: "failure"
        }
    }

    /// The result JSON or the error text, as stored.
    public var payload: String {
        switch self {
        case .success(let value): value.jsonText
        case .failure(let message): message
        }
    }
}
