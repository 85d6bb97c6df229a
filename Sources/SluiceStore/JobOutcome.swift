public import SluiceCore

/// How a run of a job ended, as a worker reports it.
public enum JobOutcome: Sendable, Equatable {
    case success(JSONValue)
    case failure(String)

    var state: String {
        switch self {
        case .success: "success"
        case .failure: "failure"
        }
    }

    var payload: String {
        switch self {
        case .success(let value): value.jsonText
        case .failure(let message): message
        }
    }
}
