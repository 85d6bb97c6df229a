import Foundation
import SluiceCore
import SluiceExecution
import SluiceTesting
import SluiceWorker
import Testing

/// The worker's Deno warm-up (a TypeScript run that fills the cache jobs see read-only) holds
/// TypeScript jobs only: bash and Python jobs start at once however long it takes.
@Suite("Deno warm-up")
struct DenoWarmUpTests {
    @Test("a slow Deno warm-up holds TypeScript jobs only: preparing and a bash job do not wait for it, a TypeScript job starts after it")
    func warmUpHoldsOnlyTypeScript() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-warm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A "deno" that logs when each of its runs starts and ends, 3 s apart: the warm-up's, then the job's.
        let log = root + "/deno.log"
        let deno = root + "/deno"
        try ExecutableScript.write("#!/bin/sh\necho start >> \(log)\nsleep 3\necho end >> \(log)\n", to: deno)
        let runner = ScriptRunner(
            settings: ScriptRunnerSettings(scratchRoot: root + "/scratch", denoPath: deno, sandbox: SandboxSettings(mode: .none)))
        defer { runner.shutDown() }
        try await runner.prepare()
        // The bash job reads the log while the warm-up is still going: it has not ended.
        let bash = await runner.run(
            ScriptRun(language: .bash, content: "cat \(log) 2>/dev/null | grep -c end || true\n", arguments: [:], timeout: .seconds(10)),
            label: "bash",
            killer: ProcessKiller())
        #expect(bash.outcome == JobOutcome.success(0), "the bash job waited for the warm-up: \(bash.outcome)")
        _ = await runner.run(
            ScriptRun(language: .deno, content: "export function main() { return 1; }\n", arguments: [:], timeout: .seconds(20)), label: "ts",
            killer: ProcessKiller())
        // The TypeScript job's run started only after the warm-up's ended.
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "start\nend\nstart\nend\n")
    }
}
