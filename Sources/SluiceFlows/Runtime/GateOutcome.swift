/// How a gate was decided.
public enum GateOutcome: Sendable, Equatable {
    case approved(ResumeContext)
    case rejected(by: String, reason: String?, ResumeContext)
    case timedOut(ResumeContext)
}
