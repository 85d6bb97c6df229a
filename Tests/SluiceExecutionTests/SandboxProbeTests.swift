import Foundation
import Glibc
import SluiceTesting
import Testing

@testable import SluiceExecution

@Suite("the sandbox's start-up probe")
struct SandboxProbeTests {
    /// A directory with an executable `bwrap` stand-in running `body`.
    private func fakeBubblewrap(_ body: String) throws -> (directory: String, executable: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-probe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let executable = directory + "/bwrap"
        try ExecutableScript.write("#!/bin/sh\n" + body, to: executable)
        return (directory, executable)
    }

    private func sandbox(_ executable: String, scratch: String) -> BubblewrapSandbox {
        BubblewrapSandbox(settings: SandboxSettings(bubblewrapPath: executable), scratchRoot: scratch, interpreters: [])
    }

    @Test("a probe that never ends is killed at its deadline, with what it left running, and the worker is told why")
    func hangingProbeIsKilled() async throws {
        let (directory, executable) = try fakeBubblewrap("sleep 600 &\necho $! > \"$0.child\"\nwait\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let began = ContinuousClock.now
        let error = await #expect(throws: SandboxError.self) {
            try await sandbox(executable, scratch: directory).probe(directory: directory, deadline: .milliseconds(500))
        }
        // Well short of the background sleep's 600 s (the probe did not wait for it), with room for
        // a loaded machine (likely the test's own continuation waiting for a thread of the test process's
        // cooperative pool, which other suites' synchronous Redis calls hold): 23.6 s was measured
        // in a full run beside a build, 53 s beside four busy loops.
        #expect(ContinuousClock.now - began < .seconds(300))
        #expect(error?.description.contains("did not end within") == true, "\(String(describing: error))")
        let child = try #require(
            pid_t(String(contentsOfFile: executable + ".child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The background sleep was in the probe's process group: killed with it (gone, or a zombie
        // until whoever adopted it reaps it — in neither case still sleeping).
        var gone = false
        for _ in 0..<100 where !gone {
            let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            gone = state == nil || state == "Z"
            if !gone { usleep(20_000) }
        }
        #expect(gone, "the probe's background child \(child) still runs")
    }

    @Test("a probe that fails says bubblewrap's own message")
    func failingProbeSaysWhy() async throws {
        let (directory, executable) = try fakeBubblewrap("echo 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = await #expect(throws: SandboxError.self) {
            try await sandbox(executable, scratch: directory).probe(directory: directory, deadline: .seconds(20))
        }
        #expect(error?.description == "bubblewrap cannot make a sandbox here (bwrap: No permissions to creating new namespace)")
    }

    @Test("a probe that exits 0 passes", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap")))
    func realProbePasses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-probe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await sandbox("/usr/bin/bwrap", scratch: directory).probe(directory: directory, deadline: .seconds(20))
    }
}
