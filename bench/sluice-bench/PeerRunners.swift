import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore

/// A jobs/s figure with what is needed to judge it.
struct Rate {
    var jobsPerSecond: Double
    var jobs: Int
    var failed: Int
}

/// Sluice's side of the comparison: jobs queued first, then one worker process; the rate from
/// the jobs' own Redis timestamps (first start → last finish), as `sluice-bench throughput`.
struct SluiceRunner {
    let environment: BenchEnvironment

    enum Kind { case identity, bash, python }

    /// `pythonRunner` is the worker's `--python-runner`: `process` (a python3 per job), `fork`
    /// (forked from a warm interpreter) or `dedicated` (a long-lived process per script version).
    func throughput(_ kind: Kind, count: Int, concurrency: Int, sandbox: String = "bwrap", pythonRunner: String = "process") async throws -> Rate {
        try environment.flush()
        let connection = try environment.connect()
        let store = JobStore(keys: environment.keys)
        var template = EnqueueRequest(id: JobID(milliseconds: 0), kind: .identity, queue: "bench", arguments: [:])
        if kind != .identity {
            let python = kind == .python
            guard let path = ScriptPath(python ? "f/bench/plus_one" : "f/bench/echo") else { throw CleanExit.message("bad path") }
            let (hash, _) = try ScriptStore(keys: environment.keys).push(
                path: path, language: python ? .python3 : .bash, content: python ? PeerJobs.python : PeerJobs.bash, on: connection)
            template.kind = .script
            template.path = path.rawValue
            template.scriptHash = hash
            template.language = python ? .python3 : .bash
        }
        var ids: [JobID] = []
        for start in stride(from: 0, to: count, by: 1000) {
            let requests = (start..<min(count, start + 1000)).map { index -> EnqueueRequest in
                var request = template
                request.id = JobID.generate()
                request.arguments = ["x": .number(Double(index))]
                return request
            }
            ids += requests.map(\.id)
            _ = try store.enqueue(requests, on: connection)
        }
        let worker = try environment.start(
            "worker", ["--queues", "bench", "--concurrency", String(concurrency), "--sandbox", sandbox, "--python-runner", pythonRunner])
        defer { environment.stop(worker) }
        let runner = kind == .python ? " \(pythonRunner)" : ""
        let label = "sluice \(kind)\(runner) c\(concurrency)\(sandbox == "none" ? " --sandbox none" : "")"
        let progress = ProgressLine(label)
        while true {
            let done =
                try connection.send(["HMGET", .string(environment.keys.stats("bench")), "success", "failure"]).array?.compactMap(\.integer)
                .reduce(0, +) ?? 0
            progress.show(Int(done), of: count)
            if done >= count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        progress.end()
        var first = Int64.max
        var last = Int64.min
        var failed = 0
        for start in stride(from: 0, to: ids.count, by: 5000) {
            let replies = try connection.pipeline(
                ids[start..<min(ids.count, start + 5000)].map { ["HMGET", .string(environment.keys.job($0)), "started_at", "finished_at", "state"] })
            for reply in replies {
                let fields = reply.array ?? []
                guard fields.count == 3, let started = fields[0].integer, let finished = fields[1].integer else { continue }
                first = min(first, started)
                last = max(last, finished)
                if fields[2].string != "success" { failed += 1 }
            }
        }
        return Rate(jobsPerSecond: Double(count) / (Double(max(1, last - first)) / 1000), jobs: count, failed: failed)
    }

    /// `count` identity jobs one at a time with an idle worker: enqueue → result (watch_job + BLPOP), on the client.
    func latency(count: Int) async throws -> LatencyHistogram {
        try environment.flush()
        let connection = try environment.connect()
        let store = JobStore(keys: environment.keys)
        let worker = try environment.start("worker", ["--queues", "bench", "--concurrency", "1"])
        defer { environment.stop(worker) }
        var histogram = LatencyHistogram()
        let progress = ProgressLine("sluice latency")
        for index in -20..<count {
            let request = EnqueueRequest(
                id: JobID.generate(), kind: .identity, queue: "bench",
                arguments: ["n": .number(Double(index))])
            let begin = ContinuousClock.now
            try store.enqueue(request, on: connection)
            guard try store.wait(for: request.id, timeout: .seconds(30), on: connection) != nil else { throw CleanExit.message("job never finished") }
            if index >= 0 { histogram.record(ContinuousClock.now - begin) }
            if index % 50 == 0 { progress.show(max(0, index), of: count) }
        }
        progress.end()
        return histogram
    }
}

/// RQ's and Celery's side: bench/peers/peer_bench.py in the virtualenv, one JSON line back.
struct PeerRunner {
    let python: String
    let directory: String
    let redis: String
    let script: String

    func throughput(_ peer: String, _ kind: String, count: Int) throws -> Rate {
        let reply = try call([peer, "throughput", kind, "--count", String(count)])
        return Rate(
            jobsPerSecond: reply["jobs_per_second"]?.numberValue ?? 0, jobs: count, failed: reply["failed"]?.intValue ?? count)
    }

    func latency(_ peer: String, count: Int) throws -> LatencyHistogram {
        let reply = try call([peer, "latency", "noop", "--count", String(count)])
        return LatencyHistogram(microseconds: (reply["samples_us"]?.arrayValue ?? []).compactMap { $0.numberValue.map { UInt64(max(0, $0)) } })
    }

    private func call(_ arguments: [String]) throws -> JSONValue {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [directory + "/peer_bench.py"] + arguments + ["--redis", redis, "--script", script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard process.terminationStatus == 0, let value = try? JSONValue(parsing: line) else {
            throw CleanExit.message("peer_bench.py \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)): \(line)")
        }
        return value
    }
}

/// One line that shows how far a step has got, redrawn in place on a terminal (else a line every few seconds).
final class ProgressLine {
    let label: String
    private var lastShown = ContinuousClock.now - .seconds(60)
    private let terminal = isatty(STDOUT_FILENO) == 1

    init(_ label: String) {
        self.label = label
    }

    func show(_ done: Int, of total: Int) {
        let now = ContinuousClock.now
        guard now - lastShown > (terminal ? .milliseconds(200) : .seconds(5)) else { return }
        lastShown = now
        let text = "  \(label): \(done)/\(total)"
        if terminal {
            FileHandle.standardOutput.write(Data(("\r" + text + "   ").utf8))
        } else {
            say(text)
        }
    }

    func end() {
        if terminal { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// A line on stdout at once, not buffered (print is buffered when stdout is a file or a pipe), so
/// progress shows while a step runs.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
