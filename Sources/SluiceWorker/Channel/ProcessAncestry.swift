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
        /// A child of a fork server, by its pid in the server's PID namespace (the last `NSpid` entry).
        case forked(Int32)
    }

    /// What `/proc/<pid>/status` says of a process: its parent (host pid) and its pid in each
    /// nested PID namespace, outermost first.
    struct Status: Equatable {
        var parent: Int32
        var namespacePIDs: [Int32]
    }

    /// Whether `pid` (host numbering) is the job's process or descends from it.
    static func descends(_ pid: Int32, from job: JobProcess, status: (Int32) -> Status? = read) -> Bool {
        var current = pid
        for _ in 0..<64 {
            guard current > 1 else { return false }
            if case .host(let root) = job, current == root { return true }
            guard let info = status(current) else { return false }
            if case .forked(let root) = job, info.namespacePIDs.last == root { return true }
            current = info.parent
        }
        return false
    }

    /// The status of host process `pid`, or `nil` when it is gone.
    static func read(_ pid: Int32) -> Status? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return parse(text)
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
