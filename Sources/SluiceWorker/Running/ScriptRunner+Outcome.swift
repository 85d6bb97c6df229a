import Foundation
import SluiceCore
import Subprocess

extension ScriptRunner {
    /// The job's outcome from how its process ended and what it left: a kill's reason first, then
    /// the wrapper's `result.json` / `error.json` (python3, deno), or bash's exit status and last line.
    func interpret(
        _ status: TerminationStatus,
        language: ScriptLanguage,
        directory: String,
        collector: LogCollector,
        killer: ProcessKiller
    ) -> JobOutcome {
        switch killer.reason {
        case .timedOut(let seconds)?: return .failure("timed out after \(seconds) s")
        case .canceled?: return .failure("canceled while running")
        case .shuttingDown?: return .failure("stopped: the worker shut down")
        case nil: break
        }
        switch language {
        case .python3, .deno:
            if let text = try? String(contentsOfFile: directory + "/result.json", encoding: .utf8) {
                if let value = try? JSONValue(parsing: text) { return .success(value) }
                return .failure("the script's result is not valid JSON")
            }
            if let text = try? String(contentsOfFile: directory + "/error.json", encoding: .utf8),
                let error = try? JSONValue(parsing: text)
            {
                let name = error["name"]?.stringValue ?? "Error"
                let message = error["message"]?.stringValue ?? ""
                if language == .deno, let stack = error["stack"]?.stringValue, !stack.isEmpty {
                    return .failure(stack.hasPrefix(name) ? stack : "\(name): \(message)\n\(stack)")
                }
                let trace = error["traceback"]?.stringValue ?? ""
                return .failure("\(name): \(message)\n\(trace)")
            }
            let program = language == .deno ? "deno" : "python3"
            return .failure("\(program) \(Self.describe(status)) without a result\n\(collector.lastLogLines(20))")
        case .bash:
            guard case .exited(0) = status else {
                return .failure("bash \(Self.describe(status))\n\(collector.lastLogLines(20))")
            }
            guard let line = collector.lastStandardOutputLine else { return .success(.null) }
            if let value = try? JSONValue(parsing: line) { return .success(value) }
            return .success(.string(line))
        }
    }

    static func describe(_ status: TerminationStatus) -> String {
        switch status {
        case .exited(let code): "exited with code \(code)"
        case .signaled(let signal): "was killed by signal \(signal)"
        }
    }
}
