import OrderedCollections

/// A variable or resource a flow or a job names: `$var:PATH` and `$res:PATH` in static values,
/// `variable('PATH')` and `resource('PATH')` in expressions (Windmill's four forms).
public struct Reference: Sendable, Hashable, CustomStringConvertible {
    /// What is referenced.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A variable (a secret or not): its value is a string.
        case variable
        /// A resource: a typed JSON object, its `$var:` fields resolved.
        case resource

        /// The prefix of a static reference: `$var:` or `$res:`.
        public var marker: String {
            switch self {
            case .variable: "$var:"
            case .resource: "$res:"
            }
        }
    }

    public var kind: Kind
    /// The path, as Windmill writes it (`f/payments/stripe_key`, `u/alice/db`).
    public var path: String

    public init(_ kind: Kind, _ path: String) {
        self.kind = kind
        self.path = path
    }

    /// The reference a static string makes — `$var:PATH` or `$res:PATH`, the whole string — or `nil`.
    public init?(marker text: String) {
        for kind in Kind.allCases where text.hasPrefix(kind.marker) {
            self.init(kind, String(text.dropFirst(kind.marker.count)))
            return
        }
        return nil
    }

    /// `$var:PATH` or `$res:PATH`.
    public var marker: String { kind.marker + path }

    /// `variable 'f/x/y'` or `resource 'f/x/y'`, for messages.
    public var description: String { "\(kind.rawValue) '\(path)'" }
}

/// What a reference resolved to for one step or job: its value, or why it has none (it does not
/// exist, the caller may not read it, the secret cannot be opened). A failure is raised only where
/// the value is used, naming the reference.
public enum ResolvedReference: Sendable, Hashable {
    case value(JSONValue)
    case failure(String)
}

extension JSONValue {
    /// The `$var:` and `$res:` references among this value's strings, at any depth.
    public var references: Set<Reference> {
        var found = Set<Reference>()
        collectReferences(into: &found)
        return found
    }

    private func collectReferences(into found: inout Set<Reference>) {
        switch self {
        case .string(let text):
            if let reference = Reference(marker: text) { found.insert(reference) }
        case .array(let elements):
            for element in elements { element.collectReferences(into: &found) }
        case .object(let members):
            for member in members.values { member.collectReferences(into: &found) }
        case .null, .bool, .number:
            break
        }
    }

    /// This value with every `$var:`/`$res:` string replaced by what `resolved` holds for it.
    /// Throws ``ReferenceFailure`` naming the first reference that failed or was not resolved.
    public func substitutingReferences(_ resolved: [Reference: ResolvedReference]) throws(ReferenceFailure) -> JSONValue {
        switch self {
        case .string(let text):
            guard let reference = Reference(marker: text) else { return self }
            switch resolved[reference] {
            case .value(let value)?: return value
            case .failure(let message)?: throw ReferenceFailure(message)
            case nil: throw ReferenceFailure("\(reference.marker) was not resolved")
            }
        case .array(let elements):
            var substituted: [JSONValue] = []
            substituted.reserveCapacity(elements.count)
            for element in elements { substituted.append(try element.substitutingReferences(resolved)) }
            return .array(substituted)
        case .object(var members):
            for (key, member) in members { members[key] = try member.substitutingReferences(resolved) }
            return .object(members)
        case .null, .bool, .number:
            return self
        }
    }
}

/// A reference that has no value where it is used: the message names it and says why.
public struct ReferenceFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
