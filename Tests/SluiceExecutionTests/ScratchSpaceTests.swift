import Foundation
import Synchronization
import Testing

@testable import SluiceExecution

@Suite("scratch spaces")
struct ScratchSpaceTests {
    /// Worker processes opening scratch spaces under one root at once, each sweeping away the
    /// directories of dead ones as it opens: a space just opened is never taken for a dead one.
    @Test("a worker's scratch directory is never swept away by another worker opening at the same moment")
    func openingSpacesNeverSweepEachOther() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-sweep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lost = Mutex<[String]>([])
        // Blocking calls, on threads of their own (as worker processes would be).
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<3_000 {
                do {
                    let space = try ScratchSpace(root: root)
                    _ = try space.makeRunDirectory(label: "job")
                } catch {
                    lost.withLock { $0.append("\(error)") }
                }
            }
        }
        let failures = lost.withLock { $0 }
        #expect(failures.isEmpty, "\(failures.count) spaces lost, first: \(failures.first ?? "")")
    }
}
