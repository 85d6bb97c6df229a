public import SluiceStore

/// Why an approval or a rejection was not recorded. Nothing was changed — except that a gate found
/// open past its deadline was timed out (``closed(state:)`` with `timed_out`).
public enum ApprovalRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such gate, or a link whose token does not match (malformed, forged, edited).
    case notFound
    /// The gate takes no more decisions; `state` says why (`approved`, `rejected`, `timed_out`, ...).
    case closed(state: GateState)
    /// The gate refuses this identity or this action (self-approval, groups, anonymous links,
    /// a rejection through a link of a `hide_cancel` gate).
    case forbidden(String)
    /// The payload does not satisfy the gate's form: which field, and why.
    case invalid(field: String, message: String)
    /// This identity decided already with another answer (an approval with other values, or the
    /// other decision): the first stands.
    case conflict(String)

    /// A short name for metrics and logs: `not_found`, `closed`, `timed_out`, `refused`, `invalid`, `conflict`.
    public var reason: String {
        switch self {
        case .notFound: "not_found"
        case .closed(let state): state == .timedOut ? "timed_out" : "closed"
        case .forbidden: "refused"
        case .invalid: "invalid"
        case .conflict: "conflict"
        }
    }

    public var description: String {
        switch self {
        case .notFound: "no such gate, or the link is not valid"
        case .closed(let state): state == .timedOut ? "the gate timed out: its deadline has passed" : "the gate is closed (\(state))"
        case .forbidden(let why): "refused: \(why)"
        case .invalid(let field, let message): "invalid payload: \(field): \(message)"
        case .conflict(let why): "not recorded: \(why)"
        }
    }
}
