import Foundation
import Glibc
import SluiceCore
import Subprocess

extension ScriptRunner {
    /// The outcome of a job its worker killed — why it was killed — or nil when it was not.
    func killedOutcome(_ killer: ProcessKiller) -> JobOutcome? {
        switch killer.reason {
        case .timedOut(let seconds)?: .failure("timed out after \(seconds) s")
        case .canceled?: .failure("canceled while running")
        case .shuttingDown?: .failure("stopped: the worker shut down")
        case nil: nil
        }
    }

    /// The job's outcome from how its process ended and what it left: a kill's reason first, then
    /// the wrapper's `result.json` / `error.json` (python3, deno), or bash's exit status and last line.
    func interpret(
        _ status: TerminationStatus,
        language: ScriptLanguage,
        directory: String,
        collector: LogCollector,
        killer: ProcessKiller
    ) -> JobOutcome {
        if let killed = killedOutcome(killer) { return killed }
        switch language {
        case .python3, .deno:
            switch Self.readBounded(directory + "/result.json", limit: settings.resultLimit) {
            case .text(let text): return outcome(ofResult: text)
            case .tooLarge(let size): return resultTooLarge(size)
            case .missing: break
            }
            if case .text(let text) = Self.readBounded(directory + "/error.json", limit: settings.resultLimit),
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
            if let value = try? JSONValue(parsing: line, maximumDepth: JSONValue.maximumInputDepth) { return .success(value) }
            return .success(.string(line))
        }
    }

    /// A result as the script wrote it (JSON text): its value, or why it cannot be kept.
    func outcome(ofResult text: String) -> JobOutcome {
        guard text.utf8.count <= settings.resultLimit else { return resultTooLarge(text.utf8.count) }
        do {
            return .success(try JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth))
        } catch {
            return .failure("the script's result is not valid JSON (or nests deeper than \(JSONValue.maximumInputDepth) levels): \(error)")
        }
    }

    func resultTooLarge(_ size: Int) -> JobOutcome {
        .failure(
            "the script's result is \(size) bytes of JSON, over this worker's result limit of \(settings.resultLimit) bytes (worker --result-limit): "
                + "return less, and keep large data elsewhere")
    }

    /// `outcome` within the limits: a result larger than the limit fails the job, an error text is cut at it.
    func capped(_ outcome: JobOutcome) -> JobOutcome {
        switch outcome {
        case .success(let value):
            let size = value.jsonText.utf8.count
            return size > settings.resultLimit ? resultTooLarge(size) : outcome
        case .failure(let message):
            guard message.utf8.count > settings.resultLimit else { return outcome }
            let cut = String(decoding: message.utf8.prefix(settings.resultLimit), as: UTF8.self)
            return .failure(cut + "\n[sluice: error text truncated at \(settings.resultLimit) bytes]")
        }
    }

    /// What a bounded read of a job's file found.
    enum BoundedText {
        case missing
        case text(String)
        case tooLarge(Int)
    }

    /// Reads `path` (never following a link) unless it is larger than `limit` bytes.
    static func readBounded(_ path: String, limit: Int) -> BoundedText {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return .missing }
        defer { close(descriptor) }
        return readBounded(descriptor: descriptor, limit: limit)
    }

    /// Reads an open file from its start unless it is larger than `limit` bytes.
    static func readBounded(descriptor: Int32, limit: Int) -> BoundedText {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .missing }
        guard Int(info.st_size) <= limit else { return .tooLarge(Int(info.st_size)) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count <= limit {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(bytes.count)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        guard bytes.count <= limit else { return .tooLarge(bytes.count) }
        return .text(String(decoding: bytes, as: UTF8.self))
    }

    static func describe(_ status: TerminationStatus) -> String {
        switch status {
        case .exited(let code): "exited with code \(code)"
        case .signaled(let signal): "was killed by signal \(signal)"
        }
    }
}
