import Foundation
import SluiceCore
import SluiceStore
import SluiceTesting
import Testing

/// `sluice top` in a real terminal (tmux), and as a plain snapshot when not in one.
@Suite("sluice top", .serialized, .tags(.processes))
struct TopTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("live view: queues with pending, delayed and oldest age, open gates, workers with their jobs; q quits and restores the screen")
    func live() async throws {
        let keys = KeySpace.unique()
        let env = server.sluiceEnvironment(prefix: keys.prefix)
        let store = JobStore(keys: keys)
        let connection = try server.connect()
        // Jobs on a queue nobody serves wait; one is delayed; a worker serves 'default'.
        for _ in 0..<3 { _ = try store.enqueue(EnqueueRequest(id: JobID.generate(), kind: .identity, queue: "nightly"), on: connection) }
        _ = try store.enqueue(
            EnqueueRequest(id: JobID.generate(), kind: .identity, queue: "nightly", runAt: Int64(Date().timeIntervalSince1970 * 1000) + 600_000),
            on: connection)
        let worker = try ChildProcess("worker", ["--concurrency", "3", "--worker-id", "top-worker-1"], environment: env)
        let exports = env.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
        let terminal = try TmuxTerminal("env \(exports) \(Executables.path("sluice")) top --interval 0.2; echo \"EXIT=$?\"; sleep 60")
        try await terminal.waitFor("top-worker-1")
        try await terminal.waitFor("nightly")
        let screen = terminal.screen()
        let row = try #require(screen.split(separator: "\n").first { $0.hasPrefix("nightly") })
        let cells = row.split(separator: " ", omittingEmptySubsequences: true)
        #expect(cells[1] == "3", "pending: \(row)")
        #expect(cells[3] == "1", "delayed: \(row)")
        #expect(cells[5] != "-" && (cells[6] == "ms" || cells[6] == "s"), "oldest pending age: \(row)")
        #expect(screen.contains("open gates: 0"))
        #expect(screen.contains("schedules: 0 (0 waiting for a tick)"))
        let workerRow = try #require(screen.split(separator: "\n").first { $0.hasPrefix("top-worker-1") })
        #expect(workerRow.contains("default") && workerRow.contains(" 3 "), "\(workerRow)")
        try terminal.type("q")
        try await terminal.waitFor("EXIT=0")
        #expect(!terminal.screen().contains("QUEUE"), "the alternate screen was not left")
        _ = worker
    }

    @Test("not in a terminal: one plain snapshot without escape codes")
    func plain() async throws {
        let keys = KeySpace.unique()
        _ = try JobStore(keys: keys).enqueue(EnqueueRequest(id: JobID.generate(), kind: .identity, queue: "reports"), on: try server.connect())
        let result = try await runCommand("sluice", ["top"], environment: ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("reports"))
        #expect(result.stdout.contains("open gates: 0"))
        #expect(!result.stdout.contains("\u{1B}"))
        // The connection options may also come before the subcommand.
        let leading = try await runCommand("sluice", ["--redis", server.url, "--prefix", keys.prefix, "top"])
        #expect(leading.status == 0, "\(leading.stderr)")
        #expect(leading.stdout.contains("reports"))
    }
}
