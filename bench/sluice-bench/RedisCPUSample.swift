import Foundation
import SluiceRedis

/// Redis's own CPU time (`INFO cpu`: the server process, user and system), read before and after
/// a run, so a benchmark can say how much of each job's cost is Redis's and how much the
/// worker's.
struct RedisCPUSample {
    /// Seconds of CPU the server had used when sampled.
    let seconds: Double
    /// Seconds Redis had spent executing scripts (`INFO commandstats`, EVALSHA and EVAL): the part
    /// of its CPU that is the scripts' own work, not reading and writing the connections.
    let scriptSeconds: Double
    /// Per command (`INFO commandstats`, the commands scripts run included): calls and seconds.
    let commands: [String: (calls: Double, seconds: Double)]

    init(on connection: RedisConnection) throws {
        let info = try connection.send("INFO", "everything").string ?? ""
        var total = 0.0
        var scripts = 0.0
        var commands: [String: (calls: Double, seconds: Double)] = [:]
        for line in info.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            if parts[0] == "used_cpu_sys" || parts[0] == "used_cpu_user" {
                total += Double(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            } else if parts[0].hasPrefix("cmdstat_") {
                let stat = { (name: String) in
                    parts[1].split(separator: ",").first { $0.hasPrefix(name + "=") }.flatMap { Double($0.dropFirst(name.count + 1)) } ?? 0
                }
                let name = String(parts[0].dropFirst(8))
                commands[name] = (stat("calls"), stat("usec") / 1e6)
                if name == "evalsha" || name == "eval" { scripts += stat("usec") / 1e6 }
            }
        }
        seconds = total
        scriptSeconds = scripts
        self.commands = commands
    }

    /// The commands that took most of Redis's time between `self` and a later sample, per job:
    /// `name calls×µs` (the scripts' own time includes the commands they ran).
    func commandSummary(until later: RedisCPUSample, jobs: Int, top: Int = 12) -> String {
        let perJob = Double(max(jobs, 1))
        let rows = later.commands.map { name, stat -> (String, Double, Double) in
            let before = commands[name] ?? (0, 0)
            return (name, (stat.calls - before.calls) / perJob, (stat.seconds - before.seconds) * 1e6 / perJob)
        }
        return rows.filter { $0.1 > 0 }.sorted { $0.2 > $1.2 }.prefix(top)
            .map { "\($0.0) \(String(format: "%.2f", $0.1))×=\(String(format: "%.1f", $0.2))µs" }.joined(separator: ", ")
    }

    /// Microseconds of script execution per job between `self` and a later sample.
    func scriptMicrosecondsPerJob(until later: RedisCPUSample, jobs: Int) -> Double {
        (later.scriptSeconds - scriptSeconds) * 1e6 / Double(max(jobs, 1))
    }

    /// Microseconds of Redis CPU per job between `self` and a later sample.
    func microsecondsPerJob(until later: RedisCPUSample, jobs: Int) -> Double {
        (later.seconds - seconds) * 1e6 / Double(max(jobs, 1))
    }
}
