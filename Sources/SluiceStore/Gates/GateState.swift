/// The states of an approval gate, as stored in its hash's `state` field.
public enum GateState: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Created with its step; the step's script still runs (approvals sent early are kept).
    case pending
    /// The flow waits at it.
    case open
    case approved
    case rejected
    /// Its deadline passed with no decision.
    case timedOut = "timed_out"
    /// Its step failed or the flow moved on without it.
    case closed
    /// Its flow was canceled.
    case canceled

    /// Whether the gate still takes approvals and rejections.
    public var isAcceptingDecisions: Bool { self == .pending || self == .open }

    /// The states that accept decisions, as Lua's prelude lists them.
    static var accepting: [String] { allCases.filter(\.isAcceptingDecisions).map(\.rawValue) }

    public var description: String { rawValue }
}
