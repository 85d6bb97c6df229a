import Foundation
import Synchronization

/// A program run to its end — a CLI command in a test or a chaos scenario: its exit status and
/// what it printed on each stream.
public struct ProgramRun: Sendable {
    public var status: Int32
    public var output: String
    public var errors: String

    /// Runs `path arguments…` with exactly `environment` and waits for it. Both streams are read to
    /// their ends at once (standard error on a thread of its own), so a program that fills one
    /// pipe while the other is read cannot hold itself up.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String]) throws -> ProgramRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorsRead = ReadBytes()
        let reader = Thread { errorsRead.bytes.withLock { $0 = errors.fileHandleForReading.readDataToEndOfFile() } }
        reader.start()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.002) }
        return ProgramRun(
            status: process.terminationStatus, output: String(decoding: printed, as: UTF8.self),
            errors: String(decoding: errorsRead.bytes.withLock { $0 }, as: UTF8.self))
    }

    /// What the standard-error reader thread read.
    private final class ReadBytes: Sendable {
        let bytes = Mutex(Data())
    }
}
