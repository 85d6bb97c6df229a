public import SluiceCore

/// The lock of a TypeScript script version, stored with it as a Python script's lock is
/// (`P:content:<sha256>:lock`): JSON with
///
/// - `sluice`: the format, ``format``;
/// - `imports`: the import-map entries push decided for the script's own imports — Bun's bare
///   package names as `npm:` packages, bare Node built-ins as `node:`, the versions a Windmill lock
///   pinned, Bun modules and file imports as modules that fail naming themselves
///   (``TypeScriptImportMap/resolutions(for:pins:)``) — which every run uses as they are;
/// - `deno`: Deno's own lockfile, written by `deno cache` at push: every npm and jsr package with
///   its integrity hash and every remote module with its SHA-256. Workers fetch exactly this, once
///   per lock, and run jobs with it frozen and with nothing fetched.
public struct TypeScriptLock: Equatable, Sendable {
    public static let format = "typescript-lock-1"

    public var imports: [String: String]
    public var deno: JSONValue

    public init(imports: [String: String], deno: JSONValue) {
        self.imports = imports
        self.deno = deno
    }

    /// Reads a stored lock. Throws for text that is not one (a Python lock, say).
    public init(parsing text: String) throws(TypeScriptLockError) {
        guard let document = try? JSONValue(parsing: text), document["sluice"]?.stringValue == Self.format, let deno = document["deno"],
            deno.objectValue != nil
        else {
            throw TypeScriptLockError("not a Sluice TypeScript lock (expected JSON with \"sluice\": \"\(Self.format)\")")
        }
        var imports: [String: String] = [:]
        for (key, value) in document["imports"]?.memberList ?? [] {
            if let target = value.stringValue { imports[key] = target }
        }
        self.init(imports: imports, deno: deno)
    }

    /// The text stored: pretty JSON, imports sorted.
    public var text: String {
        let sortedImports = JSONValue(members: imports.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
        return JSONValue(members: [("sluice", .string(Self.format)), ("imports", sortedImports), ("deno", deno)]).prettyJSONText + "\n"
    }

    /// Deno's lockfile, as the file Deno reads.
    public var denoLockText: String { deno.prettyJSONText + "\n" }

    /// What is locked, for display: `npm:leftpad@1.2.0`, `jsr:@std/path@1.0.8`, `2 remote modules`.
    public var summary: [String] {
        var items: [String] = []
        for (key, _) in deno["npm"]?.memberList ?? [] {
            items.append("npm:" + String(key.prefix { $0 != "_" }))
        }
        for (key, _) in deno["jsr"]?.memberList ?? [] { items.append("jsr:" + key) }
        let remote = deno["remote"]?.memberList?.count ?? 0
        if remote > 0 { items.append("\(remote) remote module\(remote == 1 ? "" : "s")") }
        return items
    }
}
