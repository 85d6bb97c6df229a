import Foundation

/// The comparison table: per kind of job, Sluice's figure(s), RQ's and Celery's, and the ratios.
struct PeerTable {
    private var rows: [String] = []

    mutating func add(_ kind: String, sluice: [(String, Rate)], rq: Rate, celery: Rate) {
        for (variant, rate) in sluice {
            let failed = rate.failed + rq.failed + celery.failed
            rows.append(
                "| \(kind) | Sluice \(variant) | \(format(rate.jobsPerSecond, digits: 0)) | \(format(rq.jobsPerSecond, digits: 0)) | "
                    + "\(format(celery.jobsPerSecond, digits: 0)) | \(ratio(rate, rq)) | \(ratio(rate, celery)) |"
                    + (failed > 0 ? " \(failed) jobs failed" : ""))
        }
    }

    private func ratio(_ sluice: Rate, _ peer: Rate) -> String {
        peer.jobsPerSecond > 0 ? format(sluice.jobsPerSecond / peer.jobsPerSecond, digits: 2) + "×" : "-"
    }

    var text: String {
        ([
            "| jobs | Sluice | Sluice jobs/s | RQ SimpleWorker jobs/s | Celery solo jobs/s | Sluice/RQ | Sluice/Celery |",
            "|---|---|---|---|---|---|---|",
        ] + rows)
        .joined(separator: "\n")
    }
}

/// What Redis itself does per second on this machine with the commands a job uses.
enum RedisCeiling {
    /// `cli` reaches the server (`-p PORT` and its password: ``RedisServer/cliArguments``).
    static func measure(cli: [String], requests: Int) throws -> [(String, Double)] {
        var results: [(String, Double)] = []
        let commands: [(String, [String])] = [
            ("LPUSH", ["-t", "lpush"]), ("RPOP", ["-t", "rpop"]), ("HSET", ["-t", "hset"]), ("ZADD", ["-t", "zadd"]), ("INCR", ["-t", "incr"]),
            ("EVAL (a 1-command script)", ["eval", "return redis.call('INCR', KEYS[1])", "1", "bench:ceiling"]),
        ]
        for (name, arguments) in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-benchmark")
            process.arguments = cli + ["-c", "8", "-P", "1", "-n", String(requests), "-q"] + arguments
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            // "LPUSH: 123456.79 requests per second, p50=0.031 msec" (the last line; progress lines are \r-separated).
            let text = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\r" || $0 == "\n" }).last {
                $0.contains("requests per second")
            }
            let rate = text.flatMap { line in line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) } } ?? 0
            results.append((name, rate))
        }
        return results
    }
}
