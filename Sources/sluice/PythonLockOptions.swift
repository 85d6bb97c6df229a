import ArgumentParser
import Dispatch
import SluiceCommandLine
import SluiceCore
import SluiceScripts
import SluiceStore
import Synchronization

/// How `sluice script push` and `sluice flow push` lock Python scripts' requirements.
struct PythonLockOptions: ParsableArguments {
    @Option(name: .long, help: "The uv that locks Python requirements (default: .venv-tools/bin/uv that make deps installed, else uv on PATH).")
    var uv: String?

    @Option(
        name: .long,
        help: "The python3 the lock is resolved for; use the workers' (default: /usr/bin/python3, else the first non-shim python3 on PATH).")
    var python: String?

    /// The lock of a Python script's requirements: the one already stored with this content, else
    /// a new one resolved with uv; `nil` when the script needs no packages. Throws with uv's message
    /// when a requirement cannot be resolved.
    func lock(_ content: String, session: Session) throws -> ScriptLockResult {
        let requirements: PythonRequirements
        do {
            requirements = try PythonRequirements(script: content)
        } catch {
            throw CommandFailure("\(error)")
        }
        guard !requirements.requirements.isEmpty else { return ScriptLockResult() }
        let listed = requirements.requirements.joined(separator: ", ")
        if let stored = try session.perform({ try session.scripts.lock(hash: ContentHash.of(content), on: session.connection) }) {
            return ScriptLockResult(lock: stored, note: "requirements (\(requirements.source.rawValue)): \(listed); lock already stored")
        }
        guard let uvPath = ToolLocator.uv(explicit: uv) else {
            throw CommandFailure("the script needs \(listed) but uv is not installed (make deps installs it into .venv-tools; or pass --uv PATH)")
        }
        guard let pythonPath = ToolLocator.python(explicit: python) else { throw CommandFailure("no python3 found; pass --python PATH") }
        let locker = PythonLocker(uv: uvPath, python: pythonPath)
        let lock: PythonLock
        do {
            lock = try waitFor { try await locker.lock(requirements) }
        } catch let error as PythonLockError {
            throw CommandFailure("cannot lock the script's requirements (\(listed)):\n\(error.description)")
        }
        return ScriptLockResult(
            lock: lock.text, note: "requirements (\(requirements.source.rawValue)): \(listed); locked \(lock.pins.joined(separator: " "))")
    }
}

/// Runs async work to completion from a synchronous command (the CLI's main thread waits; the
/// work runs on Swift's cooperative pool, which the main thread is not part of).
func waitFor<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
    let box = Mutex<Result<Value, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<Value, any Error>
        do {
            result = .success(try await work())
        } catch {
            result = .failure(error)
        }
        box.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    guard let result = box.withLock({ $0 }) else { throw CommandFailure("interrupted") }
    return try result.get()
}
