import SluiceRedis
import Testing

@Suite("--ack replicas=N[,timeout=MS]")
struct ReplicaAcknowledgementTests {
    @Test("replicas and an optional timeout in milliseconds; none or empty: no acknowledgement")
    func parses() throws {
        #expect(try ReplicaAcknowledgement.parse("replicas=1") == ReplicaAcknowledgement(replicas: 1, timeout: .milliseconds(2000)))
        #expect(try ReplicaAcknowledgement.parse(" replicas=2, timeout=150 ") == ReplicaAcknowledgement(replicas: 2, timeout: .milliseconds(150)))
        #expect(try ReplicaAcknowledgement.parse("timeout=10,replicas=3")?.timeoutMilliseconds == 10)
        #expect(try ReplicaAcknowledgement.parse("none") == nil)
        #expect(try ReplicaAcknowledgement.parse("") == nil)
    }

    @Test("a missing, zero or unknown setting is refused by name")
    func refuses() {
        for (text, says) in [
            ("timeout=100", "needs replicas"), ("replicas=0", "at least 1"), ("replicas=1,timeout=0", "at least 1 ms"),
            ("replicas=1,copies=2", "not 'copies'"), ("replicas", "replicas=N"), ("replicas=two", "replicas=N"),
        ] {
            #expect(throws: (any Error).self, "\(text)") { try ReplicaAcknowledgement.parse(text) }
            do {
                _ = try ReplicaAcknowledgement.parse(text)
            } catch {
                #expect("\(error)".contains(says), "\(text): \(error)")
            }
        }
    }
}
