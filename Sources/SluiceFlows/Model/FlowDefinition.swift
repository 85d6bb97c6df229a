public import SluiceCore

/// A flow in the OpenFlow subset Sluice runs: Windmill's field names and meaning.
public struct FlowDefinition: Sendable, Equatable {
    public var summary: String
    public var description: String
    /// JSON Schema of `flow_input`, if the flow declares one.
    public var schema: JSONValue?
    public var modules: [FlowModule]
    /// Runs when a step fails for good, with `error` in scope; the flow still ends failed.
    public var failureModule: FlowModule?

    public init(
        summary: String = "",
        description: String = "",
        schema: JSONValue? = nil,
        modules: [FlowModule],
        failureModule: FlowModule? = nil
    ) {
        self.summary = summary
        self.description = description
        self.schema = schema
        self.modules = modules
        self.failureModule = failureModule
    }

    /// The module at `position` (the failure module is position ``FlowPosition/failureModule``).
    public func module(at position: FlowPosition) -> FlowModule? {
        switch position {
        case .step(let index): modules.indices.contains(index) ? modules[index] : nil
        case .failureModule: failureModule
        }
    }
}

/// Where a flow is: one of its modules, or its failure module.
public enum FlowPosition: Sendable, Hashable, CustomStringConvertible {
    case step(Int)
    case failureModule

    /// As stored in the flow's hash (`cursor`): the index, or `failure`.
    public var description: String {
        switch self {
        case .step(let index): String(index)
        case .failureModule: "failure"
        }
    }

    public init?(_ text: String) {
        if text == "failure" {
            self = .failureModule
        } else if let index = Int(text), index >= 0 {
            self = .step(index)
        } else {
            return nil
        }
    }
}
