import Foundation
import SluiceTesting

/// Runs the built executables to their ends — CLI commands such as `sluice run` — against a
/// scenario's Redis (``ChaosCluster/commands(extra:)``), from any thread.
struct ChaosCommands: Sendable {
    let binaries: String
    let environment: [String: String]

    func run(_ executable: String, _ arguments: [String]) throws -> ProgramRun {
        try ProgramRun.run(binaries + "/" + executable, arguments, environment: environment)
    }
}
