import SluiceCore

extension Node {
    /// The names of the global functions that read a variable or a resource.
    static let referenceFunctions: [String: Reference.Kind] = ["variable": .variable, "resource": .resource]

    /// Adds the `variable('PATH')` and `resource('PATH')` calls with a literal path to `found`, and
    /// the position of the first such call whose path is not a string literal to `dynamic`.
    func collectReferences(bound: Set<String>, into found: inout Set<Reference>, dynamic: inout (name: String, position: Int)?) {
        if case .call(.identifier(let name, _), let arguments, _, let position) = self, !bound.contains(name),
            let kind = Self.referenceFunctions[name]
        {
            if arguments.count == 1, case .value(.literal(.string(let path), _)) = arguments[0] {
                found.insert(Reference(kind, path))
            } else if dynamic == nil {
                dynamic = (name, position)
            }
        }
        let inner: Set<String>
        if case .arrow(let parameters, _, _) = self { inner = bound.union(parameters) } else { inner = bound }
        for child in children {
            child.collectReferences(bound: inner, into: &found, dynamic: &dynamic)
        }
    }
}
