import Foundation
import Glibc
import Testing

@testable import SluiceExecution

/// The thread the expression engine is started from: every call runs on the same thread, which
/// outlives its callers' threads, and a stopped one refuses work instead of leaving a caller waiting.
@Suite("The spawning thread")
struct SpawningThreadTests {
    @Test("every call runs on one thread of its own, not the caller's; a stopped thread refuses more work")
    func oneThreadThenStopped() throws {
        let spawner = SpawningThread(name: "test.spawn")
        let caller = pthread_self()
        let first = try spawner.run { pthread_self() }
        let second = try spawner.run { pthread_self() }
        #expect(first == second)
        #expect(first != caller)
        #expect(throws: SpawningThread.Stopped.self) { try spawner.run { throw SpawningThread.Stopped() } }
        spawner.stop()
        #expect(throws: SpawningThread.Stopped.self) { try spawner.run { 1 } }
    }
}
