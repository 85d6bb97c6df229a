import Foundation
import Subprocess
import SystemPackage

/// Resolves a Python script's requirements into a lock with `uv pip compile`: every package pinned
/// to one version with the sha256 of its wheels (`--generate-hashes`), for the target interpreter.
///
/// Only wheels are accepted (`--only-binary :all:`): resolving or installing a source
/// distribution would run its build code, on the operator's machine at push time and on workers
/// later. A package that has no wheel for the interpreter fails the push with uv's message. uv is
/// killed after `timeout`, so an unreachable index never hangs a push.
public struct PythonLocker: Sendable {
    public let uv: String
    public let python: String
    public let timeout: Duration
    /// Variables for uv; `nil` inherits the caller's (an index set with `UV_INDEX_URL`, say).
    public let environment: [String: String]?

    public init(uv: String, python: String, timeout: Duration = .seconds(300), environment: [String: String]? = nil) {
        self.uv = uv
        self.python = python
        self.timeout = timeout
        self.environment = environment
    }

    /// The lock for `requirements`, headed by a comment naming what it was resolved for.
    public func lock(_ requirements: PythonRequirements) async throws(PythonLockError) -> PythonLock {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-lock-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw PythonLockError("cannot create a temporary directory: \(error)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("requirements.in").path
        guard FileManager.default.createFile(atPath: input, contents: Data(requirements.text.utf8)) else {
            throw PythonLockError("cannot write \(input)")
        }
        let arguments = [
            "pip", "compile", input, "--python", python, "--generate-hashes", "--only-binary", ":all:", "--no-header", "--no-annotate",
            "--quiet", "--color", "never",
        ]
        let result = try await UVRunner(uv: uv, timeout: timeout, environment: environment).run(arguments)
        let version = try await UVRunner(uv: python, timeout: .seconds(30)).run(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        let header = "# sluice lock: \(requirements.source.rawValue), python \(version.trimmingCharacters(in: .whitespacesAndNewlines))\n"
        return PythonLock(text: header + result)
    }
}

/// A resolved, hash-pinned requirements file (uv's `pip compile` output).
public struct PythonLock: Sendable, Equatable {
    public let text: String
    public init(text: String) { self.text = text }

    /// The pinned packages, `name==version`, for display.
    public var pins: [String] {
        text.split(separator: "\n").compactMap { line in
            guard let first = line.first, first != "#", first != " " else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }
}

/// A lock or install that failed, with the installer's own message.
public struct PythonLockError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How a process ended and what it printed.
private struct Finished: Sendable {
    var exitCode: Int32?
    var status: String
    var output: String
    var error: String
}

/// Runs uv (or the interpreter) with a deadline and returns stdout; throws with stderr when it fails.
public struct UVRunner: Sendable {
    public let uv: String
    public let timeout: Duration
    /// The variables uv gets; `nil` inherits the caller's.
    public let environment: [String: String]?

    public init(uv: String, timeout: Duration, environment: [String: String]? = nil) {
        self.uv = uv
        self.timeout = timeout
        self.environment = environment
    }

    public func run(_ arguments: [String]) async throws(PythonLockError) -> String {
        guard FileManager.default.isExecutableFile(atPath: uv) else {
            throw PythonLockError("\(uv) is not installed (make deps installs uv into .venv-tools; or pass --uv PATH)")
        }
        do {
            let environmentSetting: Subprocess.Environment
            if let environment {
                environmentSetting = .custom(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
            } else {
                environmentSetting = .inherit
            }
            let result = try await withThrowingTaskGroup(of: Finished?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        .path(FilePath(uv)), arguments: Arguments(arguments), environment: environmentSetting, input: .none,
                        output: .string(limit: 8 << 20), error: .string(limit: 1 << 20))
                    var code: Int32?
                    if case .exited(let exit) = result.terminationStatus { code = exit }
                    return Finished(
                        exitCode: code, status: "\(result.terminationStatus)", output: result.standardOutput, error: result.standardError)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let result else {
                throw PythonLockError(
                    "\(URL(fileURLWithPath: uv).lastPathComponent) \(arguments.prefix(2).joined(separator: " ")) took longer than \(timeout)")
            }
            guard result.exitCode == 0 else {
                let message = result.error.trimmingCharacters(in: .whitespacesAndNewlines)
                throw PythonLockError(message.isEmpty ? "\(uv) failed (\(result.status))" : message)
            }
            return result.output
        } catch let error as PythonLockError {
            throw error
        } catch {
            throw PythonLockError("cannot run \(uv): \(error)")
        }
    }
}
