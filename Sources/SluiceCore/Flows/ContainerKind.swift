/// The kinds of container module — a flow module whose children are sequences of their own — as a
/// container's record in Redis names them: shared by the flow model (`ContainerPolicy`) and the
/// store's records (`ContainerRecord`).
public enum ContainerKind: String, CaseIterable, Sendable {
    /// `forloopflow`.
    case forLoop = "for"
    /// `whileloopflow`.
    case whileLoop = "while"
    /// `branchone`.
    case branchOne = "one"
    /// `branchall`.
    case branchAll = "all"
}
