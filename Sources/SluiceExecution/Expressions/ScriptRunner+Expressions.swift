import Foundation
public import SluiceFlows
import Synchronization

extension ScriptRunner {
    /// The JavaScript engine for this worker's flow expressions beyond the subset: a warm Deno with
    /// no permissions, in the job sandbox, its V8 heap capped at 64 MiB; `nil` without Deno. It
    /// starts on first use, once the scratch space is prepared.
    public var expressionEngine: (any ExpressionEngine)? {
        guard let deno = settings.denoPath else { return nil }
        return workspace.expressions.withLock { engine in
            if let engine { return engine }
            let made = DenoExpressionEngine(spawner: workspace.spawner) { [self] in try self.expressionLaunch(deno: deno) }
            engine = made
            return made
        }
    }

    /// How the engine is started: its program in its own directory under the worker's scratch
    /// space, in a sandbox of its own (or bare with `--sandbox none`).
    func expressionLaunch(deno: String) throws -> DenoExpressionEngine.Launch {
        guard let prepared = workspace.prepared.withLock({ $0 }) else { throw ScratchError("the scratch space is not ready") }
        let directory = prepared.scratch.directory + "/expressions"
        if mkdir(directory, 0o700) != 0, errno != EEXIST { throw ScratchError("cannot create \(directory)") }
        let program = directory + "/expression-engine.js"
        if !FileManager.default.fileExists(atPath: program) {
            guard
                FileManager.default.createFile(
                    atPath: program, contents: Data(PackageResources.expression_engine_js), attributes: [.posixPermissions: 0o400])
            else { throw ScratchError("cannot write \(program)") }
        }
        var executable = deno
        var arguments = ["run", "--quiet", "--no-prompt", "--no-config", "--no-lock", "--v8-flags=--max-old-space-size=64", program]
        if let sandbox = prepared.sandbox {
            (executable, arguments) = sandbox.command(executable: executable, arguments: arguments, directory: directory, readOnlyFiles: [])
        }
        var environment = baseEnvironment
        environment["HOME"] = directory
        environment["TMPDIR"] = directory
        environment["DENO_DIR"] = directory + "/cache"
        environment["NO_COLOR"] = "1"
        environment["DENO_NO_UPDATE_CHECK"] = "1"
        return DenoExpressionEngine.Launch(
            executable: executable, arguments: arguments, environment: environment, errorLog: prepared.scratch.directory + "/expressions.log")
    }
}
