import Foundation
import Glibc
import SluiceCore
import Testing

@testable import SluiceExecution

/// A worker waiting for another one building the same python environment stops when its task is
/// canceled (the worker's shutdown deadline), instead of polling until the build deadline.
@Suite("waiting for another worker's build")
struct BuildLockWaitTests {
    @Test("a wait for another builder's lock ends at once when its task is canceled, with a clear error")
    func canceledWaitStops() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-locks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lock = "six==1.16.0 --hash=sha256:00\n"
        // Another builder holds the environment's lock (a descriptor of its own: flock conflicts).
        let held = open(root + "/" + String(ContentHash.of(lock).prefix(32)) + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(held >= 0)
        defer { close(held) }
        #expect(flock(held, LOCK_EX | LOCK_NB) == 0)
        let environments = PythonEnvironments(root: root, uv: "/bin/true", python: "/usr/bin/python3", buildTimeout: .seconds(60))
        let waiting = Task { () -> String in
            do {
                return "built: " + (try await environments.directory(for: lock))
            } catch {
                return String(describing: error)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let began = ContinuousClock.now
        waiting.cancel()
        let ended = await waiting.value
        // Far from the build deadline (90 s); a loaded machine may take a few seconds to run the task again.
        #expect(ContinuousClock.now - began < .seconds(20), "the wait went on after its task was canceled")
        #expect(ended.contains("stopped while another worker was building"), "\(ended)")
    }
}
