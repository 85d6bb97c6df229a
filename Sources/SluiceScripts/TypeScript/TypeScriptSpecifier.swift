/// What one import of a TypeScript script names, as Sluice resolves it.
///
/// Deno understands `npm:`, `jsr:`, `node:`, `https://` and relative specifiers itself. Windmill's
/// scripts also use spellings Deno has no meaning for, or a different one: Windmill's own client
/// under many names, Bun's bare package names (`"lodash"`, `"postgres@3.4.4"`) and bare Node
/// built-ins (`"fs/promises"`), and Bun's `bun:` modules. Each kind says what the script's import
/// map does with it (``TypeScriptImportMap``).
public enum TypeScriptSpecifier: Equatable, Sendable {
    /// Windmill's client, however spelled: `windmill-client`, `windmill-client@…`,
    /// `npm:windmill-client`, `npm:windmill-client@…` (any version or range, any subpath), the
    /// legacy Deno client `https://deno.land/x/windmill@vX/mod.ts` (or without a version), and
    /// `sluice`. Resolved to Sluice's own module, never fetched.
    case windmillClient
    /// An `npm:` package (Deno fetches it from the npm registry).
    case npm(NPMPackage)
    /// A bare package name, Bun's way of naming an npm package (`lodash`, `@scope/name@1.2/sub`).
    case bare(NPMPackage)
    /// A Node built-in named without `node:` (`fs`, `fs/promises`), as Bun and Node allow.
    case nodeBuiltin(String)
    /// A `jsr:` package.
    case jsr
    /// A remote module (`https://…`, `http://…`).
    case remote
    /// A Bun module (`bun:sqlite`, `bun:test`…): Sluice has no Bun, the import fails naming it.
    case bun
    /// A path of another file (`./lib.ts`, `../x`, `/f/folder/script`): Sluice runs a script as
    /// one file, so the import fails naming it.
    case path
    /// Anything else Deno resolves on its own (`node:fs`, `data:`, `file:`).
    case native

    /// An npm package as a specifier names it: `@scope/name`, an optional version or range, an optional subpath.
    public struct NPMPackage: Equatable, Sendable {
        public var name: String
        public var version: String?
        public var subpath: String?

        public init(name: String, version: String? = nil, subpath: String? = nil) {
            self.name = name
            self.version = version
            self.subpath = subpath
        }

        /// Reads `name[@version][/subpath]` (a scoped name keeps its first `/`). `nil` when no name.
        public init?(parsing text: Substring) {
            var rest = text
            var name = ""
            if rest.hasPrefix("@") {
                guard let slash = rest.firstIndex(of: "/") else { return nil }
                name = String(rest[...slash])
                rest = rest[rest.index(after: slash)...]
            }
            let nameEnd = rest.firstIndex { $0 == "@" || $0 == "/" } ?? rest.endIndex
            name += rest[..<nameEnd]
            rest = rest[nameEnd...]
            guard !name.isEmpty, !name.hasSuffix("/") else { return nil }
            self.name = name
            if rest.hasPrefix("@") {
                let versionEnd = rest.firstIndex(of: "/") ?? rest.endIndex
                let version = rest[rest.index(after: rest.startIndex)..<versionEnd]
                self.version = version.isEmpty ? nil : String(version)
                rest = rest[versionEnd...]
            }
            subpath = rest.count > 1 ? String(rest.dropFirst()) : nil
        }

        /// The `npm:` specifier of this package, with `version` instead of its own when given.
        public func npmSpecifier(version override: String? = nil) -> String {
            "npm:" + name + ((override ?? version).map { "@" + $0 } ?? "") + (subpath.map { "/" + $0 } ?? "")
        }
    }

    /// The kind of `specifier`.
    public init(_ specifier: String) {
        let lowered = specifier.lowercased()
        if specifier == "sluice" {
            self = .windmillClient
        } else if lowered.hasPrefix("https://deno.land/x/windmill/") || lowered.hasPrefix("https://deno.land/x/windmill@") {
            self = .windmillClient
        } else if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            self = .remote
        } else if specifier.hasPrefix("npm:") {
            let rest = specifier.dropFirst(4).drop { $0 == "/" }
            guard let package = NPMPackage(parsing: rest) else {
                self = .native
                return
            }
            self = package.name == "windmill-client" ? .windmillClient : .npm(package)
        } else if specifier.hasPrefix("jsr:") {
            self = .jsr
        } else if specifier.hasPrefix("bun:") {
            self = .bun
        } else if specifier.hasPrefix("./") || specifier.hasPrefix("../") || specifier.hasPrefix("/") || specifier == "." || specifier == ".." {
            self = .path
        } else if specifier.contains(":") {
            self = .native
        } else if Self.nodeBuiltins.contains(specifier) {
            self = .nodeBuiltin(specifier)
        } else if let package = NPMPackage(parsing: Substring(specifier)) {
            self = package.name == "windmill-client" ? .windmillClient : .bare(package)
        } else {
            self = .native
        }
    }

    /// Whether Deno fetches something for it (a package or a remote module), so a script that
    /// imports it is locked and its downloads cached.
    public var isFetched: Bool {
        switch self {
        case .npm, .bare, .jsr, .remote: true
        case .windmillClient, .nodeBuiltin, .bun, .path, .native: false
        }
    }

    /// Node's built-in modules, which Bun (and Node) import without `node:`.
    public static let nodeBuiltins: Set<String> = [
        "assert", "assert/strict", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto", "dgram",
        "diagnostics_channel", "dns", "dns/promises", "domain", "events", "fs", "fs/promises", "http", "http2", "https", "inspector",
        "module", "net", "os", "path", "path/posix", "path/win32", "perf_hooks", "process", "punycode", "querystring", "readline",
        "readline/promises", "repl", "stream", "stream/consumers", "stream/promises", "stream/web", "string_decoder", "sys", "timers",
        "timers/promises", "tls", "trace_events", "tty", "url", "util", "util/types", "v8", "vm", "wasi", "worker_threads", "zlib",
    ]
}
