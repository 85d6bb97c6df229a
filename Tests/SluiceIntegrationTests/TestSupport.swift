import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// A key space unique to one test, so tests sharing a server never see each other's keys.
func uniqueKeys(_ name: String = #function) -> KeySpace {
    let cleaned = name.filter { $0.isLetter || $0.isNumber }
    return KeySpace(prefix: "t-\(cleaned)-\(UUID().uuidString.prefix(8))")
}

func newJobID() -> JobID {
    JobID(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
}

extension RedisServer {
    func connect() throws -> RedisConnection {
        try RedisConnection(configuration: configuration)
    }
}

/// A test's own failure with a message, for waits that give up.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
