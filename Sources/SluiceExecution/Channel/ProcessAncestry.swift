import Foundation

/// Whether a process belongs to a job: the job's process itself or one of its descendants. A
/// job's channel admits a connection only from such a process (read from `/proc/<pid>/status`,
/// walking up through host pids), so even a job that can name another's socket — forked jobs
/// share one view of the runs directory — cannot talk on it.
enum ProcessAncestry {
    /// The process a job runs as.
    enum JobProcess: Sendable, Equatable {
        /// A process the worker started (bubblewrap, the interpreter, a dedicated runner), by host pid.
        case host(Int32)
        /// A child of a fork server or slot sandbox, by its pid in the server's PID namespace — the
        /// `level`-th entry of `NSpid` (1 for a server in its own sandbox, 0 for one without; a
        /// slot job's processes sit in a namespace of their own below it) — and the server it was
        /// forked from: its host pid and start time, so a process of another server (another
        /// namespace, the same inner pid) is never taken for it, nor a process that reused the
        /// server's pid.
        case forked(Int32, server: Int32, serverStarted: UInt64?, level: Int)
    }

    /// What `/proc/<pid>/status` and `/proc/<pid>/stat` say of a process: its parent (host pid),
    /// its pid in each nested PID namespace (outermost first), and when it started.
    struct Status: Equatable {
        var parent: Int32
        var namespacePIDs: [Int32]
        var started: UInt64? = nil
    }

    /// Whether `pid` (host numbering) is the job's process or descends from it: for a forked job,
    /// the walk up must meet the job's pid in a namespace, then reach the very fork server it was
    /// forked from (host pid and start time).
    static func descends(_ pid: Int32, from job: JobProcess, status: (Int32) -> Status? = read) -> Bool {
        var current = pid
        var metJob = false
        for _ in 0..<64 {
            guard current > 1 else { return false }
            switch job {
            case .host(let root):
                if current == root { return true }
            case .forked(_, let server, let serverStarted, _):
                if current == server {
                    return metJob && (serverStarted == nil || status(current)?.started == serverStarted)
                }
            }
            guard let info = status(current) else { return false }
            if case .forked(let root, _, _, let level) = job, !metJob, info.namespacePIDs.indices.contains(level),
                info.namespacePIDs[level] == root
            {
                metJob = true
            }
            current = info.parent
        }
        return false
    }

    /// When host process `pid` started (field 22 of `/proc/<pid>/stat`, clock ticks since boot).
    static func startTime(of pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return parseStartTime(text)
    }

    /// Field 22 of a `/proc/<pid>/stat` line (fields counted after the command name, which is in
    /// parentheses and may hold spaces).
    static func parseStartTime(_ text: String) -> UInt64? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After ")": field 3 (state) is fields[0], so field 22 is fields[19].
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// The status of host process `pid`, or `nil` when it is gone.
    static func read(_ pid: Int32) -> Status? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var status = parse(text)
        status?.started = startTime(of: pid)
        return status
    }

    static func parse(_ text: String) -> Status? {
        var parent: Int32?
        var namespaces: [Int32] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("PPid:") {
                parent = Int32(line.dropFirst(5).trimmingCharacters(in: .whitespaces))
            } else if line.hasPrefix("NSpid:") {
                namespaces = line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int32($0) }
            }
        }
        guard let parent, !namespaces.isEmpty else { return nil }
        return Status(parent: parent, namespacePIDs: namespaces)
    }
}
