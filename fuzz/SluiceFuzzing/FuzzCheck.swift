/// One fuzz target's check of one input: the ways the code under test misbehaved on it. A thrown
/// error is not a problem — refusing bad input with a clear error is the point — so each check
/// only reports what must never happen (a broken round trip, an accepted value that fails its
/// own check again, an error without a message). A crash or a hang is found by the fuzzer itself.
public protocol FuzzCheck {
    /// The target's name: its corpus is `fuzz/corpus/<name>`.
    static var name: String { get }
    /// The problems `input` revealed; empty when the code behaved.
    static func problems(_ input: [UInt8]) -> [String]
}

/// Every fuzz target, for the corpus replay test and `sluice-fuzz-replay`.
public enum FuzzTargets {
    public static var all: [any FuzzCheck.Type] { [JSONFuzzCheck.self, ExpressionFuzzCheck.self, FlowFuzzCheck.self, PayloadFuzzCheck.self] }

    /// The target called `name`.
    public static func named(_ name: String) -> (any FuzzCheck.Type)? {
        all.first { $0.name == name }
    }
}
