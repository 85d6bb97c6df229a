import CSluiceLinux
import Dispatch
import Glibc

/// A job's stdout and stderr as two pipes, read into its log collector as output arrives (Dispatch
/// read sources on one serial queue, so the two keep their order of arrival and no thread blocks).
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

    /// Reads both pipes into `collector` until both reach end of file, then closes them. Close the
    /// write ends here (once handed to the job) before waiting.
    func drain(into collector: LogCollector) async {
        let queue = DispatchQueue(label: "sluice.job-output")
        let ends = readEnds
        await withTaskGroup(of: Void.self) { group in
            for (descriptor, isOutput) in [(ends.0, true), (ends.1, false)] {
                group.addTask { await Self.read(descriptor, standardOutput: isOutput, into: collector, on: queue) }
            }
        }
    }

    /// Closes every end (the job was never started).
    func abandon() {
        for descriptor in [standardOutput, standardError, readEnds.0, readEnds.1] { close(descriptor) }
    }

    private static func read(_ descriptor: Int32, standardOutput: Bool, into collector: LogCollector, on queue: DispatchQueue) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
            source.setEventHandler {
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                    if count > 0 {
                        collector.append(Array(buffer[0..<count]), fromStandardOutput: standardOutput)
                        continue
                    }
                    if count < 0, errno == EINTR { continue }
                    if count < 0, errno == EAGAIN { return }
                    source.cancel()
                    return
                }
            }
            source.setCancelHandler {
                close(descriptor)
                continuation.resume()
            }
            source.resume()
        }
    }
}
