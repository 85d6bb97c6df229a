/// A running sequence of modules in a flow run: the top level (`r`), the failure module (`f`), or
/// one child of a container module running in another frame — an iteration of a loop or a branch:
/// `r.2.17` is child 17 (iteration 17) of the module at index 2 of the top level, and
/// `r.2.17.0.1` is branch 1 of the module at index 0 inside that iteration.
///
/// The id is the frame's address: the definition's module list for it follows from the id alone
/// (``FlowDefinition/modules(of:)``), so Lua can launch an iteration by naming it.
public struct FrameID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The top-level sequences of a flow: the main one, the failure module's, and the
    /// preprocessor module's (a triggered run's first step).
    public enum Root: String, Sendable {
        case main = "r"
        case failure = "f"
        case preprocessor = "p"
    }

    /// One step down: the container module at `module` in the enclosing frame, and its child.
    public struct Hop: Sendable, Hashable {
        public var module: Int
        public var child: Int

        public init(module: Int, child: Int) {
            self.module = module
            self.child = child
        }
    }

    public let root: Root
    public let hops: [Hop]

    public init(root: Root, hops: [Hop] = []) {
        self.root = root
        self.hops = hops
    }

    /// The main sequence.
    public static let main = FrameID(root: .main)
    /// The failure module's sequence.
    public static let failure = FrameID(root: .failure)
    /// The preprocessor module's sequence.
    public static let preprocessor = FrameID(root: .preprocessor)

    /// Reads `r`, `f`, `r.2.17`...; `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let first = parts.first, let root = Root(rawValue: String(first)), parts.count % 2 == 1, parts.count <= 129 else { return nil }
        var hops: [Hop] = []
        var index = 1
        while index < parts.count {
            guard let module = Int(parts[index]), let child = Int(parts[index + 1]), module >= 0, child >= 0 else { return nil }
            hops.append(Hop(module: module, child: child))
            index += 2
        }
        self.init(root: root, hops: hops)
    }

    public var description: String {
        hops.reduce(root.rawValue) { $0 + ".\($1.module).\($1.child)" }
    }

    /// Whether this is a top-level frame (main or failure).
    public var isTopLevel: Bool { hops.isEmpty }

    /// The frame this one is a child of.
    public var parent: FrameID? {
        hops.isEmpty ? nil : FrameID(root: root, hops: Array(hops.dropLast()))
    }

    /// The container this frame is a child of: its frame and cursor.
    public var container: ContainerID? {
        guard let parent, let last = hops.last else { return nil }
        return ContainerID(frame: parent, cursor: last.module)
    }

    /// The child index within its container (iteration or branch number).
    public var childIndex: Int? { hops.last?.child }

    /// Child `child` of the container at `cursor` in this frame.
    public func child(cursor: Int, child: Int) -> FrameID {
        FrameID(root: root, hops: hops + [Hop(module: cursor, child: child)])
    }

    /// This frame and its ancestors, innermost first.
    public var lineage: [FrameID] {
        var frames = [self]
        while let parent = frames.last?.parent { frames.append(parent) }
        return frames
    }

    public static func < (lhs: FrameID, rhs: FrameID) -> Bool { lhs.description < rhs.description }
}

/// A container module's run: the frame it runs in and its position there. Its children are the
/// frames `<frame>.<cursor>.<child>`.
public struct ContainerID: Sendable, Hashable, CustomStringConvertible {
    public let frame: FrameID
    public let cursor: Int

    public init(frame: FrameID, cursor: Int) {
        self.frame = frame
        self.cursor = cursor
    }

    public var description: String { "\(frame).\(cursor)" }

    /// The frame of child `child`.
    public func child(_ child: Int) -> FrameID { frame.child(cursor: cursor, child: child) }
}
