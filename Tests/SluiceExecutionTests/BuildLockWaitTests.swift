import Foundation
import Glibc
import SluiceCore
import Synchronization
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

/// The directories built once per hash that Python environments and Deno caches share.
@Suite("shared build directories")
final class SharedBuildDirectoriesTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-builds-\(UUID().uuidString)").path
    let builds: SharedBuildDirectories

    init() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        builds = SharedBuildDirectories(root: root, buildTimeout: .seconds(60), failureMemory: .seconds(60))
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    @Test("slots asking for one directory at once build it once; it is complete when they get it, and no staging directory is left")
    func builtOnce() async throws {
        let count = BuildCount()
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 {
                group.addTask { [builds] in
                    try await builds.directory(for: "abc", building: "building", failureLead: "cannot build") {
                        staging throws(SharedBuildDirectories.Failure) in
                        count.add()
                        try? await Task.sleep(for: .milliseconds(200))
                        do {
                            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
                            try Data("x".utf8).write(to: URL(fileURLWithPath: staging + "/made"))
                        } catch {
                            throw SharedBuildDirectories.Failure("cannot write: \(error)")
                        }
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(count.value == 1)
        #expect(Set(paths) == [root + "/abc"])
        #expect(FileManager.default.fileExists(atPath: root + "/abc/made"))
        #expect(builds.ready("abc") == root + "/abc")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix(".build-") }.isEmpty)
    }

    @Test("a failed build is answered with its lead and remembered: the next ask fails with it without building again")
    func failureRemembered() async throws {
        let count = BuildCount()
        for _ in 0..<2 {
            let error = await #expect(throws: SharedBuildDirectories.Failure.self) {
                try await builds.directory(for: "bad", building: "building", failureLead: "cannot install") {
                    _ throws(SharedBuildDirectories.Failure) in
                    count.add()
                    throw SharedBuildDirectories.Failure("the index is down")
                }
            }
            #expect(error?.description == "cannot install: the index is down")
        }
        #expect(count.value == 1)
        #expect(builds.ready("bad") == nil)
    }
}

/// How many builds ran, counted from the tasks that ran them.
private final class BuildCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
