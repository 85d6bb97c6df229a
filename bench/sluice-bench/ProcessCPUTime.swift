import Foundation

/// A running process's CPU time (user and system) from `/proc/PID/stat`.
enum ProcessCPUTime {
    /// Seconds of CPU process `pid` has used, or nil when it cannot be read.
    static func of(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the name: state is the 3rd field of the line; utime and stime are the 14th and 15th.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
