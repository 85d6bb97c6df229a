import CSluiceLinux
import Foundation
import Glibc

/// A job's stdout and stderr as two pipes, read into its log collector as output arrives (one
/// thread per job polls both, so the two keep their order of arrival).
/// The write ends go to the job; the reading ends when every process holding them has exited.
struct OutputPipes {
    /// The write ends (blocking, close-on-exec here), for the job's stdout and stderr.
    let standardOutput: Int32
    let standardError: Int32
    private let readEnds: (Int32, Int32)

    init() throws(RunFailure) {
        var output: [Int32] = [-1, -1]
        var error: [Int32] = [-1, -1]
        guard c_sluice_pipe(&output) == 0 else { throw RunFailure("cannot make a pipe: \(String(cString: strerror(errno)))") }
        guard c_sluice_pipe(&error) == 0 else {
            close(output[0])
            close(output[1])
            throw RunFailure("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in [output[0], error[0]] { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        standardOutput = output[1]
        standardError = error[1]
        readEnds = (output[0], error[0])
    }

    /// Reads both pipes into `collector` until both reach end of file, then closes them: on a
    /// thread of its own, in one `poll` loop, so the two keep their order of arrival and no thread
    /// of Swift's pool blocks. The write ends must be closed here (handed to the job) before.
    func drain(into collector: LogCollector) async {
        let ends = readEnds
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                Self.read(ends, into: collector)
                continuation.resume()
            }
            thread.name = "sluice.job-output"
            thread.start()
        }
    }

    private static func read(_ ends: (Int32, Int32), into collector: LogCollector) {
        var watched = [pollfd(fd: ends.0, events: Int16(POLLIN), revents: 0), pollfd(fd: ends.1, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var open = 2
        while open > 0 {
            if poll(&watched, 2, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in 0..<2 where watched[index].fd >= 0 && watched[index].revents != 0 {
                let descriptor = watched[index].fd
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    collector.append(Array(buffer[0..<count]), fromStandardOutput: index == 0)
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(descriptor)
                    watched[index].fd = -1
                    open -= 1
                }
            }
        }
        for end in watched where end.fd >= 0 { close(end.fd) }
    }

}
