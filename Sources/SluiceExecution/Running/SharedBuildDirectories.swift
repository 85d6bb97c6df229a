import Foundation
import Glibc
import Synchronization

/// Directories built once per content hash under one root and shared by every slot and every
/// worker process of the user — Python virtualenvs (``PythonEnvironments``) and Deno caches
/// (``DenoCaches``): `<root>/<hash>/`, complete once it holds `.sluice-complete`.
///
/// Building is safe under concurrency: a builder holds `<root>/<hash>.lock` (`flock`, which
/// excludes other slots of the same process as well as other processes), builds into a fresh
/// `.build-…` directory and renames it into place when complete, so nobody ever uses a half-built
/// directory; the others wait for the lock — polling, so no thread of the cooperative pool is
/// blocked, and stopping at once when their task is canceled (the worker's shutdown deadline) —
/// and then find it ready. A failed build's message is remembered for ``failureMemory``: the jobs
/// that need the directory meanwhile fail with it instead of building again on every job.
final class SharedBuildDirectories: Sendable {
    /// Why a directory is not ready: the message the jobs that needed it fail with.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let root: String
    /// How long one build may take (its command is killed then); a wait for another builder gives
    /// up 30 s after it.
    let buildTimeout: Duration
    let failureMemory: Duration
    private let failures = Mutex<[String: (message: String, at: ContinuousClock.Instant)]>([:])

    init(root: String, buildTimeout: Duration, failureMemory: Duration) {
        self.root = root
        self.buildTimeout = buildTimeout
        self.failureMemory = failureMemory
    }

    /// `<root>/<hash>` when it is complete, else nil.
    func ready(_ hash: String) -> String? {
        let final = root + "/" + hash
        return isComplete(final) ? final : nil
    }

    /// The directory of `hash`, built first if it is not complete: `build` fills the staging
    /// directory whose path it is given (not yet created). A failure of `build` (or of moving its
    /// work into place) is answered as `failureLead: <its text>`, and remembered. `building` words
    /// a wait for another builder in its errors (`building`, `filling`).
    func directory(
        for hash: String, building: String, failureLead: String, build: (_ staging: String) async throws(Failure) -> Void
    ) async throws(Failure) -> String {
        let final = root + "/" + hash
        if isComplete(final) { return final }
        if let failure = failures.withLock({ $0[hash] }), ContinuousClock.now - failure.at < failureMemory {
            throw Failure(failure.message)
        }
        guard mkdir(root, 0o700) == 0 || errno == EEXIST else { throw Failure("cannot create \(root)") }
        let descriptor = open(root + "/" + hash + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure("cannot open \(root)/\(hash).lock") }
        defer { close(descriptor) }
        let deadline = ContinuousClock.now + buildTimeout + .seconds(30)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard ContinuousClock.now < deadline else { throw Failure("waited too long for another worker \(building) \(final)") }
            // A canceled task's sleep ends at once: stop rather than spin until the deadline.
            guard !Task.isCancelled else { throw Failure("stopped while another worker was \(building) \(final)") }
            try? await Task.sleep(for: .milliseconds(50))
        }
        defer { flock(descriptor, LOCK_UN) }
        if isComplete(final) { return final }
        let staging = root + "/.build-" + hash + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do throws(Failure) {
            try await build(staging)
            guard FileManager.default.createFile(atPath: staging + "/.sluice-complete", contents: Data(), attributes: [.posixPermissions: 0o400])
            else { throw Failure("cannot mark \(staging) complete") }
            try? FileManager.default.removeItem(atPath: final)
            guard rename(staging, final) == 0 else { throw Failure("cannot move \(staging) to \(final)") }
            failures.withLock { _ = $0.removeValue(forKey: hash) }
            return final
        } catch {
            let message = failureLead + ": " + error.description
            failures.withLock { $0[hash] = (message, ContinuousClock.now) }
            throw Failure(message)
        }
    }

    private func isComplete(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/.sluice-complete")
    }
}
