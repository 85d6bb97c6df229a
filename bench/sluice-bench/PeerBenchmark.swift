import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// Sluice against its peers in one run, on the same private redis-server: no-op jobs (Sluice
/// identity, RQ's SimpleWorker, Celery's solo pool — one worker process each), the same two-line
/// bash script, a `def main(x): return x + 1` Python job (a python3 per job, and in rounds against
/// Celery the warm runners: forked from a warm interpreter, and a dedicated process per script), the no-op round trip with an idle worker
/// (HdrHistogram percentiles), and the Redis ceiling (`redis-benchmark` for the commands a job
/// uses). Prints a table of jobs/s and Sluice/peer ratios. The peers run from bench/peers in the
/// virtualenv `make bench` installs (`--python`).
struct PeerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peers", abstract: "Sluice vs RQ and Celery, same Redis, same jobs.")

    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"
    @Option(help: "The virtualenv's python, with rq and celery installed.") var python: String = ".build-peers/venv/bin/python"
    @Option(help: "Directory of the peers' code.") var peers: String = "bench/peers"
    @Flag(help: "Small counts: the whole comparison in about a minute and a half.") var quick = false
    @Option(help: "Rounds of the warm-runner comparison (Celery, then Sluice fork and dedicated, back to back).")
    var rounds: Int = 3

    struct Counts {
        var noop: Int
        var bash: Int
        var python: Int
        var warmPython: Int
        var latency: Int
        var redisBenchmark: Int
    }

    func run() async throws {
        let counts =
            quick
            ? Counts(noop: 1000, bash: 150, python: 40, warmPython: 1000, latency: 100, redisBenchmark: 20_000)
            : Counts(noop: 10_000, bash: 2000, python: 500, warmPython: 6000, latency: 500, redisBenchmark: 200_000)
        let environment = try BenchEnvironment(binaries: binaries)
        defer { environment.server.stop() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-peers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bashScript = scratch.appendingPathComponent("job.sh").path
        try PeerJobs.bash.write(toFile: bashScript, atomically: true, encoding: .utf8)
        let sluice = SluiceRunner(environment: environment)
        let peer = PeerRunner(python: python, directory: peers, redis: environment.server.url, script: bashScript)
        var table = PeerTable()

        let rounds = quick ? 1 : max(1, self.rounds)
        let steps = 10 + rounds
        var step = 0
        func stage(_ text: String) {
            step += 1
            say("[\(step)/\(steps)] \(text)")
        }
        stage("no-op jobs: Sluice identity, concurrency 1 and 8")
        let noop1 = try await sluice.throughput(.identity, count: counts.noop, concurrency: 1)
        let noop8 = try await sluice.throughput(.identity, count: counts.noop, concurrency: 8)
        stage("no-op jobs: RQ SimpleWorker")
        let rqNoop = try peer.throughput("rq", "noop", count: counts.noop)
        try environment.flush()
        stage("no-op jobs: Celery solo")
        let celeryNoop = try peer.throughput("celery", "noop", count: counts.noop)
        try environment.flush()
        table.add("no-op", sluice: [("identity, concurrency 1", noop1), ("identity, concurrency 8", noop8)], rq: rqNoop, celery: celeryNoop)

        stage("bash jobs: Sluice (sandboxed, and --sandbox none), concurrency 1")
        let bashSandboxed = try await sluice.throughput(.bash, count: counts.bash, concurrency: 1)
        let bashPlain = try await sluice.throughput(.bash, count: counts.bash, concurrency: 1, sandbox: "none")
        stage("bash jobs: RQ, Celery (subprocess.run of the same script)")
        let rqBash = try peer.throughput("rq", "bash", count: counts.bash)
        try environment.flush()
        let celeryBash = try peer.throughput("celery", "bash", count: counts.bash)
        try environment.flush()
        table.add("bash script", sluice: [("bwrap sandbox", bashSandboxed), ("--sandbox none", bashPlain)], rq: rqBash, celery: celeryBash)

        stage("python jobs: Sluice main(x) (a python3 process per job, sandboxed, and --sandbox none), concurrency 1")
        let pythonSandboxed = try await sluice.throughput(.python, count: counts.python, concurrency: 1)
        let pythonPlain = try await sluice.throughput(.python, count: counts.python, concurrency: 1, sandbox: "none")
        stage("python jobs: RQ, Celery (the same function, in the worker's process)")
        let rqPython = try peer.throughput("rq", "python", count: counts.python)
        try environment.flush()
        let celeryPython = try peer.throughput("celery", "python", count: counts.python)
        try environment.flush()
        table.add(
            "python main(x)", sluice: [("bwrap sandbox", pythonSandboxed), ("--sandbox none", pythonPlain)], rq: rqPython, celery: celeryPython)

        for round in 1...rounds {
            stage("python jobs, round \(round) of \(rounds): Celery, then Sluice's warm runners (fork, dedicated) at concurrency 8, back to back")
            let celery = try peer.throughput("celery", "python", count: counts.warmPython)
            try environment.flush()
            let rq = try peer.throughput("rq", "python", count: counts.warmPython / 4)
            try environment.flush()
            let fork = try await sluice.throughput(.python, count: counts.warmPython, concurrency: 8, pythonRunner: "fork")
            let dedicated = try await sluice.throughput(.python, count: counts.warmPython, concurrency: 8, pythonRunner: "dedicated")
            table.add(
                "python main(x), round \(round)", sluice: [("fork, concurrency 8", fork), ("dedicated, concurrency 8", dedicated)], rq: rq,
                celery: celery)
        }

        stage("no-op round trip, idle worker, one job at a time: Sluice, RQ, Celery")
        let sluiceLatency = try await sluice.latency(count: counts.latency)
        let rqLatency = try peer.latency("rq", count: counts.latency)
        try environment.flush()
        let celeryLatency = try peer.latency("celery", count: counts.latency)
        try environment.flush()

        stage("Redis ceiling: redis-benchmark, 8 clients, no pipelining, the commands a job uses")
        let ceiling = try RedisCeiling.measure(cli: environment.server.cliArguments, requests: counts.redisBenchmark)

        stage("results")
        say(table.text)
        say("")
        say("no-op round trip (queue → result in the client), idle worker, \(counts.latency) jobs one at a time, HdrHistogram:")
        say("  Sluice (enqueue + watch_job BLPOP):   \(sluiceLatency.summary)")
        say("  RQ (enqueue + latest_result wait):    \(rqLatency.summary)")
        say("  Celery (apply_async + result.get):    \(celeryLatency.summary)")
        say("")
        say("Redis ceiling on this machine (redis-benchmark -c 8 -P 1, \(counts.redisBenchmark) requests each):")
        for (command, rate) in ceiling { say("  \(command): \(format(rate, digits: 0)) requests/s") }
        say("  a backlogged Sluice job is one EVALSHA (complete_job, which also takes the next job): ~20 commands run inside Redis")
    }
}

/// The jobs, the same for everyone.
enum PeerJobs {
    static let bash = "x=\"$1\"\necho \"$x\"\n"
    static let python = "def main(x):\n    return x + 1\n"
}
