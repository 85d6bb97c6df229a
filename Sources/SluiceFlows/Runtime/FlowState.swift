public import SluiceCore

/// What a flow knows between steps: its input, its results so far, where it is, and what the last
/// gate said. Stored in the flow's job hash and results hash; decisions read it, never Redis.
public struct FlowState: Sendable, Equatable {
    public var flowInput: JSONValue
    /// Results by module id, in the order the modules finished.
    public var results: [(String, JSONValue)]
    public var position: FlowPosition
    /// How many times the current module has been started (1 on its first run).
    public var attempt: Int
    /// The last finished module's result (`flow_input` before the first).
    public var previousResult: JSONValue
    /// After a gate: what approvers sent and who they were.
    public var resume: ResumeContext?
    /// The error that sent the flow to its failure module.
    public var failure: String?
    /// The id of the module whose failure sent the flow to its failure module.
    public var failedModuleID: String?
    /// Who started the flow.
    public var createdBy: String?

    public init(
        flowInput: JSONValue,
        results: [(String, JSONValue)] = [],
        position: FlowPosition = .step(0),
        attempt: Int = 1,
        previousResult: JSONValue? = nil,
        resume: ResumeContext? = nil,
        failure: String? = nil,
        failedModuleID: String? = nil,
        createdBy: String? = nil
    ) {
        self.flowInput = flowInput
        self.results = results
        self.position = position
        self.attempt = attempt
        self.previousResult = previousResult ?? flowInput
        self.resume = resume
        self.failure = failure
        self.failedModuleID = failedModuleID
        self.createdBy = createdBy
    }

    /// `results` as the JSON object expressions see.
    public var resultsObject: JSONValue {
        JSONValue(members: results)
    }

    public static func == (lhs: FlowState, rhs: FlowState) -> Bool {
        lhs.flowInput == rhs.flowInput && lhs.results.map(\.0) == rhs.results.map(\.0) && lhs.results.map(\.1) == rhs.results.map(\.1)
            && lhs.position == rhs.position && lhs.attempt == rhs.attempt && lhs.previousResult == rhs.previousResult
            && lhs.resume == rhs.resume && lhs.failure == rhs.failure && lhs.failedModuleID == rhs.failedModuleID
            && lhs.createdBy == rhs.createdBy
    }
}

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
