import Foundation

/// A job's identifier: 26 characters of Crockford base32, ULID style — 48 bits of milliseconds since
/// the Unix epoch then 80 random bits — so ids sort by creation time as plain strings.
public struct JobID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The id's text, as stored in Redis.
    public let rawValue: String

    /// Wraps an id read back from Redis or typed by an operator, after checking its shape.
    public init?(_ text: String) {
        guard text.utf8.count == 26, text.utf8.allSatisfy({ JobID.alphabetIndex($0) != nil }) else { return nil }
        rawValue = text
    }

    /// A new id for `milliseconds` since the epoch, with random bits from `generator`.
    public init<Generator: RandomNumberGenerator>(milliseconds: UInt64, using generator: inout Generator) {
        var characters = [UInt8](repeating: 0, count: 26)
        var time = milliseconds & 0xFFFF_FFFF_FFFF
        for position in stride(from: 9, through: 0, by: -1) {
            characters[position] = JobID.alphabet[Int(time & 31)]
            time >>= 5
        }
        // 80 random bits, 5 per character, from two draws (each draw from the system generator is
        // a getrandom call: one per character cost 16 system calls per id).
        var bits = generator.next()
        for position in 10..<22 {
            characters[position] = JobID.alphabet[Int(bits & 31)]
            bits >>= 5
        }
        bits = generator.next()
        for position in 22..<26 {
            characters[position] = JobID.alphabet[Int(bits & 31)]
            bits >>= 5
        }
        rawValue = String(decoding: characters, as: UTF8.self)
    }

    /// A new id for `milliseconds` since the epoch, with system randomness.
    public init(milliseconds: UInt64) {
        var generator = SystemRandomNumberGenerator()
        self.init(milliseconds: milliseconds, using: &generator)
    }

    /// A new id for the current time, with system randomness.
    public static func generate() -> JobID {
        JobID(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
    }

    /// The creation time encoded in the id, in milliseconds since the epoch.
    public var milliseconds: UInt64 {
        var time: UInt64 = 0
        for byte in rawValue.utf8.prefix(10) {
            time = time << 5 | UInt64(JobID.alphabetIndex(byte) ?? 0)
        }
        return time
    }

    public var description: String { rawValue }

    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }

    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    private static func alphabetIndex(_ byte: UInt8) -> Int? {
        alphabet.firstIndex(of: byte)
    }
}
