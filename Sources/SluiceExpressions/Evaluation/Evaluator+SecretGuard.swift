import OrderedCollections

/// Secret values stay opaque in an evaluation: a secret may be passed on as it is — alone, joined
/// into a string (`+`, template literals), inside an array or an object, read back by member
/// access — so whatever holds it holds it verbatim and is masked wherever it is kept. Every
/// operation that would look into one (compare it, measure it, index or slice it, call a method
/// on it or with it, convert it, test its truth, use it as a key) is refused, because its result
/// would carry what masking cannot hide: a character, a length, a bit — or a value transformed past
/// recognition.
///
/// A value "holds" a secret when one of its strings contains one of the secret values; with no
/// secrets the checks cost nothing.
extension Evaluator {
    /// Whether `value` holds a secret anywhere inside.
    func holdsSecret(_ value: JSValue) -> Bool {
        guard !secrets.isEmpty else { return false }
        switch value {
        case .string(let text): return secrets.contains { text.contains($0) }
        case .array(let elements): return elements.contains { holdsSecret($0) }
        case .object(let members): return members.contains { holdsSecret(.string($0.key)) || holdsSecret($0.value) }
        case .undefined, .null, .bool, .number, .function, .builtin: return false
        }
    }

    func guardSecrets(_ value: JSValue, _ operation: String, at position: Int) throws(ExpressionError) {
        try guardSecrets([value], operation, at: position)
    }

    func guardSecrets(_ lhs: JSValue, _ rhs: JSValue, _ operation: String, at position: Int) throws(ExpressionError) {
        try guardSecrets([lhs, rhs], operation, at: position)
    }

    /// Refuses `operation` when one of `values` holds a secret.
    func guardSecrets(_ values: [JSValue], _ operation: String, at position: Int) throws(ExpressionError) {
        guard !secrets.isEmpty, values.contains(where: holdsSecret) else { return }
        throw Self.secretRefusal(operation, at: position)
    }

    /// Refuses `operation` on a string holding a secret (an array's or object's members are read
    /// without looking into them).
    func guardSecretText(_ value: JSValue, _ operation: String, at position: Int) throws(ExpressionError) {
        guard case .string = value else { return }
        try guardSecrets([value], operation, at: position)
    }

    /// Refuses testing the truth of a string holding a secret (whether it is empty); an array or
    /// object is always true, whatever it holds.
    func guardTruth(_ value: JSValue, at position: Int) throws(ExpressionError) {
        try guardSecretText(value, "testing its truth", at: position)
    }

    static func secretRefusal(_ operation: String, at position: Int) -> ExpressionError {
        ExpressionError(
            .secret,
            "\(operation) would look into a secret value; a flow may only pass a secret on as it is (alone, inside a string, "
                + "an array or an object), so that it stays masked — do the rest in the step's script",
            at: position)
    }
}

extension JSValue {
    /// Whether `+` with this operand joins strings (a string, or an array or object turned into one).
    var joinsAsText: Bool {
        switch self {
        case .string, .array, .object, .function, .builtin: true
        case .undefined, .null, .bool, .number: false
        }
    }
}
