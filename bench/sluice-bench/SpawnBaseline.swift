import ArgumentParser
import Foundation
import Subprocess
import SystemPackage

/// The peer for bash-job throughput: a plain loop spawning the same bash command with the same
/// parallelism, no queue and no Redis.
struct SpawnBaseline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spawn-baseline", abstract: "bash spawns/s of a plain loop.")

    @Option(help: "How many spawns.") var count: Int = 2000
    @Option(help: "How many at a time.") var parallelism: Int = 8

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-spawn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("script.sh").path
        try "x=\"$1\"\necho \"$x\"\n".write(toFile: script, atomically: true, encoding: .utf8)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func spawn(_ index: Int) {
                group.addTask {
                    _ = try await Subprocess.run(
                        .path(FilePath("/bin/bash")), arguments: [script, String(index)], output: .string(limit: 4096), error: .discarded)
                }
            }
            while next < min(parallelism, count) {
                spawn(next)
                next += 1
            }
            while try await group.next() != nil {
                if next < count {
                    spawn(next)
                    next += 1
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "plain loop: \(count) bash spawns, parallelism \(parallelism): \(format(seconds, digits: 2)) s, \(format(Double(count) / seconds, digits: 0)) spawns/s"
        )
    }
}
