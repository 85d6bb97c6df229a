/// One argument of a Redis command: text or raw bytes, sent binary-safe with an explicit length.
public enum RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    case string(String)
    case bytes([UInt8])

    public init(stringLiteral value: String) { self = .string(value) }

    /// An integer argument, written in decimal.
    public static func int<Number: BinaryInteger>(_ value: Number) -> RedisArgument { .string(String(value)) }

    var byteCount: Int {
        switch self {
        case .string(let string): string.utf8.count
        case .bytes(let bytes): bytes.count
        }
    }

    func append(to buffer: inout [UInt8]) {
        switch self {
        case .string(let string): buffer.append(contentsOf: string.utf8)
        case .bytes(let bytes): buffer.append(contentsOf: bytes)
        }
    }
}
