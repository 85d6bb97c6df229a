import Foundation
import SluiceCore
import SluiceWorker
import Testing

/// The worker's Deno warm-up (a TypeScript run that fills the cache jobs see read-only) holds
/// TypeScript jobs only: bash and Python jobs start at once however long it takes.
@Suite("Deno warm-up")
struct DenoWarmUpTests {
    @Test("a slow Deno warm-up holds TypeScript jobs only: preparing and a bash job do not wait for it")
    func warmUpHoldsOnlyTypeScript() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-warm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A "deno" that takes 6 s over anything: the warm-up run, and the TypeScript job after it.
        let deno = root + "/deno"
        try "#!/bin/sh\nsleep 6\n".write(toFile: deno, atomically: true, encoding: .utf8)
        chmod(deno, 0o755)
        let runner = ScriptRunner(
            settings: ScriptRunnerSettings(scratchRoot: root + "/scratch", denoPath: deno, sandbox: SandboxSettings(mode: .none)))
        defer { runner.shutDown() }
        let started = ContinuousClock.now
        try await runner.prepare()
        #expect(ContinuousClock.now - started < .seconds(4), "prepare waited for the warm-up")
        let bash = await runner.run(
            ScriptRun(language: .bash, content: "echo 7\n", arguments: [:], timeout: .seconds(10)), label: "bash", killer: ProcessKiller())
        #expect(bash.outcome == JobOutcome.success(7), "\(bash.outcome)")
        #expect(ContinuousClock.now - started < .seconds(4), "the bash job waited for the warm-up")
        _ = await runner.run(
            ScriptRun(language: .deno, content: "export function main() { return 1; }\n", arguments: [:], timeout: .seconds(20)), label: "ts",
            killer: ProcessKiller())
        // The TypeScript job waited for the warm-up (6 s) and then ran its own "deno" (6 s more).
        #expect(ContinuousClock.now - started >= .seconds(11), "the TypeScript job did not wait for the warm-up")
    }
}
