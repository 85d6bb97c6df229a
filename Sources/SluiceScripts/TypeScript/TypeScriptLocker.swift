import Foundation
import SluiceCore

/// Locks a TypeScript script's packages and remote modules when it is pushed: runs `deno cache`
/// on it with the import map it will run with (Windmill's client mapped to a stand-in, so the
/// client is never fetched) and a fresh Deno cache, and keeps the lockfile Deno wrote
/// (``TypeScriptLock``).
///
/// Packages come from `npmRegistry` (Deno's `NPM_CONFIG_REGISTRY`) and `jsrRegistry` (`JSR_URL`),
/// each defaulting to the caller's environment and then to Deno's defaults (npm's and jsr.io).
/// Deno only downloads and reads: it runs no code of a package (no install scripts) and none of
/// the script. Versions a Windmill lock pinned (``TypeScriptPins``) are kept: an import is mapped
/// to its pinned version, and the SHA-256 of each remote module Windmill ran is checked. Deno is
/// killed after `timeout`, so an unreachable registry never hangs a push.
public struct TypeScriptLocker: Sendable {
    public let deno: String
    public let npmRegistry: String?
    public let jsrRegistry: String?
    public let timeout: Duration

    public init(deno: String, npmRegistry: String? = nil, jsrRegistry: String? = nil, timeout: Duration = .seconds(300)) {
        self.deno = deno
        self.npmRegistry = npmRegistry
        self.jsrRegistry = jsrRegistry
        self.timeout = timeout
    }

    /// The lock of `script`, or `nil` when it fetches nothing (only Windmill's client, Node
    /// built-ins, relative files…). Throws with Deno's message when something cannot be resolved.
    public func lock(_ script: String, pins: TypeScriptPins = TypeScriptPins()) async throws(TypeScriptLockError) -> TypeScriptLock? {
        let specifiers = TypeScriptImports.specifiers(in: script)
        guard TypeScriptImportMap.needsLock(specifiers) else { return nil }
        guard FileManager.default.isExecutableFile(atPath: deno) else {
            throw TypeScriptLockError("\(deno) is not installed (make deps installs deno into .venv-tools; or pass --deno PATH)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ts-lock-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw TypeScriptLockError("cannot create a temporary directory: \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let resolutions = TypeScriptImportMap.resolutions(for: specifiers, pins: pins)
        var entries = TypeScriptImportMap.clientEntries(for: specifiers, clientURL: "./client.ts")
        for (key, value) in resolutions { entries[key] = value }
        let lockPath = directory + "/deno.lock"
        try write("export {};\n", to: directory + "/client.ts")
        try write(script, to: directory + "/script.ts")
        try write(TypeScriptImportMap.document(entries), to: directory + "/import-map.json")
        if !pins.remote.isEmpty {
            // Windmill's hashes of the remote modules it ran: Deno checks what it fetches against them.
            try write(JSONValue(members: [("version", "5"), ("remote", JSONValue(strings: pins.remote))]).prettyJSONText, to: lockPath)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["DENO_DIR"] = directory + "/cache"
        environment["NO_COLOR"] = "1"
        environment["DENO_NO_UPDATE_CHECK"] = "1"
        if let npmRegistry { environment["NPM_CONFIG_REGISTRY"] = npmRegistry }
        if let jsrRegistry { environment["JSR_URL"] = jsrRegistry }
        let arguments = [
            "cache", "--quiet", "--no-config", "--lock=" + lockPath, "--import-map", directory + "/import-map.json", "--allow-import",
            directory + "/script.ts",
        ]
        do {
            _ = try await UVRunner(uv: deno, timeout: timeout, environment: environment).run(arguments)
        } catch {
            throw TypeScriptLockError(Self.readable(error.description, directory: directory))
        }
        let written = (try? String(contentsOfFile: lockPath, encoding: .utf8)) ?? "{\"version\": \"5\"}"
        guard let document = try? JSONValue(parsing: written), document.objectValue != nil else {
            throw TypeScriptLockError("deno wrote a lockfile that is not JSON:\n\(written.prefix(400))")
        }
        return TypeScriptLock(imports: resolutions, deno: document)
    }

    private func write(_ text: String, to path: String) throws(TypeScriptLockError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw TypeScriptLockError("cannot write \(path)")
        }
    }

    /// Deno's message without the temporary directory's paths and the stack backtrace it appends.
    public static func readable(_ message: String, directory: String) -> String {
        var text = message.replacingOccurrences(of: "file://" + directory + "/", with: "").replacingOccurrences(of: directory + "/", with: "")
        if let backtrace = text.range(of: "\nStack backtrace:") { text = String(text[..<backtrace.lowerBound]) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
