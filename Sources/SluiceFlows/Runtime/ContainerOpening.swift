public import SluiceCore

/// A container module starting: which children run, how many at once, with what.
public struct ContainerOpening: Sendable, Equatable {
    /// How the container's result is made from its children's.
    public enum Collection: Sendable, Equatable {
        /// An array of each child's last result, in child order (`forloopflow`, `branchall`, `whileloopflow`).
        case array
        /// The one child's result (`branchone`).
        case single
    }

    public var collection: Collection
    /// The children to run, in order: iteration numbers, or branch numbers. Empty for a while
    /// loop, whose iterations are decided one at a time.
    public var children: [Int]
    /// `forloopflow`: the element each iteration gets as `flow_input.iter.value`, by child.
    public var items: [JSONValue]
    /// Children running at once (1: one after the other).
    public var parallelism: Int
    /// `previous_result` for the first module of every child.
    public var previous: JSONValue
    /// Children whose failure is recorded as their result instead of failing the container.
    public var toleratedFailures: Set<Int>
    /// All children tolerate failure (`skip_failures` on a loop, where children are iterations).
    public var toleratesEveryFailure: Bool
    /// A while loop: iterations are started one after the other until one stops it, at most this many.
    public var maximumIterations: Int?
    /// When no child needs to run (an empty iterator, an empty chosen branch): the container's result.
    public var immediateResult: JSONValue?

    public init(
        collection: Collection, children: [Int], items: [JSONValue] = [], parallelism: Int = 1, previous: JSONValue,
        toleratedFailures: Set<Int> = [], toleratesEveryFailure: Bool = false, maximumIterations: Int? = nil, immediateResult: JSONValue? = nil
    ) {
        self.collection = collection
        self.children = children
        self.items = items
        self.parallelism = parallelism
        self.previous = previous
        self.toleratedFailures = toleratedFailures
        self.toleratesEveryFailure = toleratesEveryFailure
        self.maximumIterations = maximumIterations
        self.immediateResult = immediateResult
    }
}
