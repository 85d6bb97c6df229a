public import SluiceCore

/// What the step after a gate sees: `resume`, `resumes` and `approvers`.
public struct ResumeContext: Sendable, Equatable {
    /// The payload of the deciding approval, or Windmill's error shape after a rejection or timeout.
    public var resume: JSONValue
    /// Every approval's payload, in order.
    public var resumes: [JSONValue]
    /// Who approved, in order (`anonymous` for unnamed links).
    public var approvers: [String]

    public init(resume: JSONValue, resumes: [JSONValue], approvers: [String]) {
        self.resume = resume
        self.resumes = resumes
        self.approvers = approvers
    }

    /// The context as a JSON object, for storing in the flow's hash.
    public var json: JSONValue {
        JSONValue(members: [
            ("resume", resume), ("resumes", .array(resumes)), ("approvers", .array(approvers.map { .string($0) })),
        ])
    }

    /// Reads a context stored with ``json``.
    public init?(json: JSONValue) {
        guard let resume = json["resume"], let resumes = json["resumes"]?.arrayValue, let approvers = json["approvers"]?.arrayValue else {
            return nil
        }
        self.init(resume: resume, resumes: resumes, approvers: approvers.compactMap(\.stringValue))
    }

    /// Windmill's `resume` after the gate timed out with `continue_on_disapprove_timeout`.
    public static let timedOut: JSONValue = [
        "error": ["name": "SuspendedTimedOut", "message": "Timed out waiting to be resumed"]
    ]

    /// Windmill's `resume` after a rejection with `continue_on_disapprove_timeout`.
    public static func disapproved(by approver: String) -> JSONValue {
        ["error": ["name": "SuspendedDisapproved", "message": .string("Disapproved by \(approver)")]]
    }
}
