import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// What `--ack replicas=1` costs an approver: the POST round trip of an approval and the time to
/// the flow's end, on a master with one replica on loopback, without and with the acknowledgement,
/// alternately in the same run.
struct AckBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack", abstract: "Approval round trip without and with --ack replicas=1 (a master and a replica on loopback).")

    @Option(help: "Approvals measured per round and setting.") var samples: Int = 300
    @Option(help: "Rounds; each runs both settings, one after the other.") var rounds: Int = 2
    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"

    func run() async throws {
        let environment = try BenchEnvironment(binaries: binaries)
        defer { environment.server.stop() }
        let replica = try environment.server.startReplica()
        defer { replica.stop() }
        let connection = try environment.connect()
        var roundTrips: [Bool: [Double]] = [:]
        var toFlowDone: [Bool: [Double]] = [:]
        print("approvals over HTTP, a master and one replica on loopback, \(samples) per round and setting:")
        for round in 1...max(1, rounds) {
            for acknowledged in [false, true] {
                let port = try RedisServer.freePort()
                let extra = acknowledged ? ["SLUICE_ACK": "replicas=1,timeout=2000"] : [:]
                let worker = try environment.start("worker", ["--concurrency", "8", "--public-url", "http://127.0.0.1:\(port)"], extra: extra)
                let resumer = try environment.start("resumer", ["--port", String(port)], extra: extra)
                defer {
                    for process in [worker, resumer] {
                        process.terminate()
                        process.waitUntilExit()
                    }
                }
                try await Task.sleep(for: .milliseconds(800))
                let driver = GatedFlowDriver(keys: environment.keys, connection: connection, publicURL: "http://127.0.0.1:\(port)")
                let flow = try driver.push("ack", timeout: 3600)
                var posts: [Double] = []
                var ends: [Double] = []
                for index in 0..<(samples + 20) {
                    let id = try driver.start(flow)
                    let gate = try await driver.parkedGate(id)
                    let begin = ContinuousClock.now
                    let status = try await driver.approve(gate)
                    let accepted = ContinuousClock.now
                    guard status == 200 else { throw CleanExit.message("approval refused: \(status)") }
                    _ = try driver.jobs.wait(for: id, timeout: .seconds(10), on: connection)
                    let done = ContinuousClock.now
                    guard index >= 20 else { continue }
                    posts.append(milliseconds(accepted - begin))
                    ends.append(milliseconds(done - begin))
                }
                roundTrips[acknowledged, default: []] += posts
                toFlowDone[acknowledged, default: []] += ends
                let post = Summary(posts)
                let end = Summary(ends)
                print(
                    "  round \(round), \(acknowledged ? "--ack replicas=1" : "no --ack        "): POST round trip median \(format(post.median, digits: 2)) ms, p99 \(format(post.percentile(99), digits: 2)) ms; "
                        + "POST → flow finished median \(format(end.median, digits: 2)) ms, p99 \(format(end.percentile(99), digits: 2)) ms")
            }
        }
        let without = Summary(roundTrips[false] ?? [])
        let with = Summary(roundTrips[true] ?? [])
        let endWithout = Summary(toFlowDone[false] ?? [])
        let endWith = Summary(toFlowDone[true] ?? [])
        print("all rounds:")
        print(
            "  POST round trip: median \(format(without.median, digits: 2)) → \(format(with.median, digits: 2)) ms (×\(format(with.median / without.median, digits: 2))), p99 \(format(without.percentile(99), digits: 2)) → \(format(with.percentile(99), digits: 2)) ms"
        )
        print(
            "  POST → flow finished: median \(format(endWithout.median, digits: 2)) → \(format(endWith.median, digits: 2)) ms (×\(format(endWith.median / endWithout.median, digits: 2))), p99 \(format(endWithout.percentile(99), digits: 2)) → \(format(endWith.percentile(99), digits: 2)) ms"
        )
    }
}
