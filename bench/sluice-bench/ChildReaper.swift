import Dispatch
import Foundation

/// Stops every process a benchmark started when the benchmark is stopped by SIGTERM or SIGINT.
/// Foundation's `Process` starts them in sessions of their own, so a signal to the benchmark alone
/// left its redis-server and Sluice processes running (and measured benchmarks after it slower).
/// Kept alive by ``BenchEnvironment``; its signal sources are set once, in `init`.
final class ChildReaper: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init() {
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                ChildReaper.killChildren()
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// SIGKILLs this process's children, found in /proc by their parent id.
    static func killChildren() {
        let own = getpid()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { continue }
            // After the command name: state, then the parent's id.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == own { kill(pid, SIGKILL) }
        }
    }
}
