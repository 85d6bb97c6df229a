public import SluiceCore
public import SluiceRedis
public import SluiceSecrets

/// Resolves what a job or step names — variables (secrets opened with the keyring) and resources
/// (their `$var:` fields resolved) — for a ``Caller``, checking each one's access rule. Used by
/// workers when a step starts and when a script asks through its channel.
public struct VariableResolver: Sendable {
    public let variables: VariableStore
    public let resources: ResourceStore
    public let keyring: SecretKeyring

    public init(keys: KeySpace, keyring: SecretKeyring) {
        variables = VariableStore(keys: keys)
        resources = ResourceStore(keys: keys)
        self.keyring = keyring
    }

    /// What each reference resolved to, the secret values among them, and the refusals (for the job's logs).
    public struct Resolution: Sendable {
        public var values: [Reference: ResolvedReference] = [:]
        /// Every secret value handed out: masked wherever the job's output is kept.
        public var secrets = SecretRedactor()
        /// Messages of the references refused for access, recorded in the job's logs.
        public var refusals: [String] = []

        public init() {}

        /// The value of `reference`, or its failure as an error.
        public func value(of reference: Reference) throws(ReferenceFailure) -> JSONValue {
            switch values[reference] {
            case .value(let value)?: return value
            case .failure(let message)?: throw ReferenceFailure(message)
            case nil: throw ReferenceFailure("\(reference) was not resolved")
            }
        }
    }

    /// Resolves `references` for `caller` in at most two round trips (the variables and resources
    /// named, then the variables the resources name).
    public func resolve(_ references: Set<Reference>, for caller: Caller, on connection: RedisConnection) throws(RedisError) -> Resolution {
        var resolution = Resolution()
        guard !references.isEmpty else { return resolution }
        let variablePaths = references.filter { $0.kind == .variable }.map(\.path)
        let resourcePaths = references.filter { $0.kind == .resource }.map(\.path)
        let storedResources = try resources.resources(at: resourcePaths, on: connection)
        var readable: [String: StoredResource] = [:]
        var inner = Set<String>()
        for path in resourcePaths {
            let reference = Reference(.resource, path)
            guard let resource = storedResources[path] else {
                resolution.values[reference] = .failure("resource '\(path)' does not exist")
                continue
            }
            guard resource.access.allows(caller) else {
                let message = Self.refusal(reference, access: resource.access, caller: caller)
                resolution.values[reference] = .failure(message)
                resolution.refusals.append(message)
                continue
            }
            readable[path] = resource
            inner.formUnion(resource.value.references.filter { $0.kind == .variable }.map(\.path))
        }
        let stored = try variables.variables(at: Array(Set(variablePaths).union(inner)), on: connection)
        var opened: [String: ResolvedReference] = [:]
        func variable(_ path: String) -> ResolvedReference {
            if let known = opened[path] { return known }
            let result: ResolvedReference
            if let found = stored[path] {
                result = open(found, for: caller, into: &resolution)
            } else {
                result = .failure("variable '\(path)' does not exist")
            }
            opened[path] = result
            return result
        }
        for path in variablePaths { resolution.values[Reference(.variable, path)] = variable(path) }
        for (path, resource) in readable {
            var table: [Reference: ResolvedReference] = [:]
            for reference in resource.value.references {
                switch (reference.kind, variable(reference.path)) {
                case (.variable, .failure(let message)): table[reference] = .failure("resource '\(path)': \(message)")
                case (.variable, let value): table[reference] = value
                case (.resource, _): table[reference] = .value(.string(reference.marker))
                }
            }
            do {
                resolution.values[Reference(.resource, path)] = .value(try resource.value.substitutingReferences(table))
            } catch {
                resolution.values[Reference(.resource, path)] = .failure(error.description)
            }
        }
        return resolution
    }

    /// A variable's value for `caller`: its text, a secret opened (and remembered in `resolution`).
    private func open(_ variable: StoredVariable, for caller: Caller, into resolution: inout Resolution) -> ResolvedReference {
        let reference = Reference(.variable, variable.path)
        guard variable.access.allows(caller) else {
            let message = Self.refusal(reference, access: variable.access, caller: caller)
            resolution.refusals.append(message)
            return .failure(message)
        }
        guard variable.isSecret else { return .value(.string(variable.storedValue)) }
        do {
            let value = try keyring.open(variable.storedValue, path: variable.path)
            resolution.secrets.add(value)
            return .value(.string(value))
        } catch {
            return .failure(error.description)
        }
    }

    /// The permission error for `reference`.
    static func refusal(_ reference: Reference, access: AccessRule, caller: Caller) -> String {
        "permission denied: \(reference) may be read only by scripts and flows under \(access.prefixes.joined(separator: ", ")); "
            + "this job is \(caller)"
    }
}
