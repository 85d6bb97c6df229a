/// The secret values one job read, and the masking of them wherever the job's output is kept:
/// its captured logs, its error text, its recorded arguments and its result. A value is replaced
/// by ``mask`` wherever it occurs, longer secrets first (so a secret containing another is masked
/// whole).
public struct SecretRedactor: Sendable, Equatable {
    /// What a secret is replaced with.
    public static let mask = "********"

    /// The secret values, longest first.
    public private(set) var secrets: [String] = []

    public init<Secrets: Sequence<String>>(_ secrets: Secrets) {
        for secret in secrets { add(secret) }
    }

    public init() {}

    /// Whether no secret was read.
    public var isEmpty: Bool { secrets.isEmpty }

    /// Remembers a secret value (the empty string masks nothing and is ignored).
    public mutating func add(_ secret: String) {
        guard !secret.isEmpty, !secrets.contains(secret) else { return }
        let index = secrets.firstIndex { $0.count < secret.count } ?? secrets.endIndex
        secrets.insert(secret, at: index)
    }

    /// Remembers every secret of `other`.
    public mutating func merge(_ other: SecretRedactor) {
        for secret in other.secrets { add(secret) }
    }

    /// `text` with every secret masked. With `truncated` (the text was cut at a size cap), a tail
    /// that is the start of a secret (its first four characters or more) is masked too.
    public func redact(_ text: String, truncated: Bool = false) -> String {
        guard !secrets.isEmpty else { return text }
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: Self.mask)
        }
        if truncated {
            for secret in secrets {
                let shortest = min(4, secret.count)
                var length = secret.count - 1
                while length >= shortest {
                    if result.hasSuffix(secret.prefix(length)) {
                        result = String(result.dropLast(length)) + Self.mask
                        break
                    }
                    length -= 1
                }
            }
        }
        return result
    }

    /// `value` with every secret masked in its strings and keys.
    public func redact(_ value: JSONValue) -> JSONValue {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let elements): return .array(elements.map(redact))
        case .object(let members): return JSONValue(members: members.map { (redact($0.key), redact($0.value)) })
        case .null, .bool, .number: return value
        }
    }

    /// The outcome with its result or error text masked.
    public func redact(_ outcome: JobOutcome) -> JobOutcome {
        switch outcome {
        case .success(let value): .success(redact(value))
        case .failure(let message): .failure(redact(message))
        }
    }

    /// Whether any secret appears in `value`'s strings or keys.
    public func reveals(_ value: JSONValue) -> Bool {
        guard !secrets.isEmpty else { return false }
        return redact(value) != value
    }
}
