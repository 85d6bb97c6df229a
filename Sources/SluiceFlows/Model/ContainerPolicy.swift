public import SluiceCore

/// What a container module (`forloopflow`, `whileloopflow`, `branchone`, `branchall`) does with
/// its children, in one place: the stepper, the runtime's follow-up operations and its event
/// handling read these facts from here instead of each switching over module types.
public struct ContainerPolicy: Sendable, Equatable {
    public var kind: ContainerKind
    /// Whether its children run at once (a parallel loop, a branchall unless `parallel: false`).
    public var parallel: Bool
    /// Whether it is a loop (its children are iterations: `stop_after_if` breaks it after one).
    public var isLoop: Bool
    /// The failures it tolerates, by child index: a tolerated failure is recorded as that child's
    /// result (`skip_failures` for every iteration, `skip_failure` per branch).
    private var tolerated: Tolerance
    /// Whether its end is checked with `stop_after_all_iters_if` (every result) rather than the
    /// module's `stop_after_if`.
    public var stopsAfterAllChildren: Bool

    private enum Tolerance: Sendable, Equatable {
        case none
        case every
        case perChild([Bool])
    }

    /// The policy of `value`, or `nil` when it is not a container.
    public init?(_ value: ModuleValue) {
        switch value {
        case .forLoop(let loop):
            self.init(
                kind: .forLoop, parallel: loop.parallel, isLoop: true, tolerated: loop.skipFailures ? .every : .none, stopsAfterAllChildren: true)
        case .whileLoop(let loop):
            self.init(kind: .whileLoop, parallel: false, isLoop: true, tolerated: loop.skipFailures ? .every : .none, stopsAfterAllChildren: true)
        case .branchOne:
            self.init(kind: .branchOne, parallel: false, isLoop: false, tolerated: .none, stopsAfterAllChildren: false)
        case .branchAll(let branches):
            self.init(
                kind: .branchAll, parallel: branches.parallel, isLoop: false, tolerated: .perChild(branches.branches.map(\.skipFailure)),
                stopsAfterAllChildren: true)
        case .rawScript, .script, .flow, .identity:
            return nil
        }
    }

    private init(kind: ContainerKind, parallel: Bool, isLoop: Bool, tolerated: Tolerance, stopsAfterAllChildren: Bool) {
        self.kind = kind
        self.parallel = parallel
        self.isLoop = isLoop
        self.tolerated = tolerated
        self.stopsAfterAllChildren = stopsAfterAllChildren
    }

    /// Whether child `child`'s failure is recorded as its result rather than failing the container.
    public func tolerates(child: Int) -> Bool {
        switch tolerated {
        case .none: false
        case .every: true
        case .perChild(let flags): flags.indices.contains(child) && flags[child]
        }
    }

    /// How many fresh job ids a join may need: one for the next child to start, when children
    /// start one after another or under a parallelism bound; none for a branchone (its one branch
    /// started when it opened) or a parallel branchall (every branch did).
    public var launchBudget: Int {
        switch kind {
        case .branchOne: 0
        case .branchAll: parallel ? 0 : 1
        case .forLoop, .whileLoop: 1
        }
    }
}
