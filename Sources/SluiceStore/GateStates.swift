/// The states of an approval gate, as stored in its hash's `state` field.
public enum GateStates {
    /// The states in which a gate still takes approvals and rejections: `pending` (its step's
    /// script still runs) and `open` (the flow waits at it).
    public static let acceptingDecisions = ["pending", "open"]
}
