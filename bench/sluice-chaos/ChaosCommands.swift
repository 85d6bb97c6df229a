import Foundation
import Synchronization

/// Runs the built executables to their ends — CLI commands such as `sluice run` — against a
/// scenario's Redis (``ChaosCluster/commands(extra:)``), from any thread.
struct ChaosCommands: Sendable {
    let binaries: String
    let environment: [String: String]

    /// What a command did: its exit status and what it printed on each stream.
    struct Ending: Sendable {
        var status: Int32
        var output: String
        var errors: String
    }

    func run(_ executable: String, _ arguments: [String]) throws -> Ending {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaries + "/" + executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Both streams read to their ends before the wait: a full pipe would hold the command up.
        let errorsRead = ReadBytes()
        let reader = Thread { errorsRead.bytes.withLock { $0 = errors.fileHandleForReading.readDataToEndOfFile() } }
        reader.start()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.005) }
        return Ending(
            status: process.terminationStatus, output: String(decoding: printed, as: UTF8.self),
            errors: String(decoding: errorsRead.bytes.withLock { $0 }, as: UTF8.self))
    }

    /// What one stream's reader thread read.
    private final class ReadBytes: Sendable {
        let bytes = Mutex(Data())
    }
}
