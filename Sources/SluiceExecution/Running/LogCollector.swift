import Synchronization

/// Gathers a script's stdout and stderr as they arrive, in one capped log, and keeps the tail of
/// stdout apart so a bash script's last line can become its result.
final class LogCollector: Sendable {
    private struct State {
        var log: [UInt8] = []
        var truncated = false
        var stdoutTail: [UInt8] = []
    }

    let logCap: Int
    let tailCap: Int
    private let state = Mutex(State())

    init(logCap: Int, tailCap: Int = 1 << 20) {
        self.logCap = logCap
        self.tailCap = tailCap
    }

    func append(_ bytes: [UInt8], fromStandardOutput: Bool) {
        state.withLock { state in
            let room = logCap - state.log.count
            if room >= bytes.count {
                state.log.append(contentsOf: bytes)
            } else {
                if room > 0 { state.log.append(contentsOf: bytes.prefix(room)) }
                state.truncated = true
            }
            if fromStandardOutput {
                state.stdoutTail.append(contentsOf: bytes)
                if state.stdoutTail.count > tailCap {
                    state.stdoutTail.removeFirst(state.stdoutTail.count - tailCap)
                }
            }
        }
    }

    /// The log text, with a marker when output beyond the cap was dropped.
    var logText: String {
        state.withLock { state in
            let text = String(decoding: state.log, as: UTF8.self)
            return state.truncated ? text + "\n[sluice: log truncated at \(logCap) bytes]\n" : text
        }
    }

    /// The last non-empty line of stdout, without its line break.
    var lastStandardOutputLine: String? {
        state.withLock { state in
            let lines = state.stdoutTail.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            for line in lines.reversed() {
                let text = String(decoding: line, as: UTF8.self).trimmingSuffix { $0 == "\r" || $0 == " " || $0 == "\t" }
                if !text.isEmpty { return text }
            }
            return nil
        }
    }

    /// The last `count` lines of the log, for error messages.
    func lastLogLines(_ count: Int) -> String {
        state.withLock { state in
            let lines = state.log.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).suffix(count)
            return lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        }
    }
}

extension String {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var end = endIndex
        while end > startIndex {
            let previous = index(before: end)
            guard predicate(self[previous]) else { break }
            end = previous
        }
        return String(self[..<end])
    }
}
