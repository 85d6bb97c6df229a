/// Versions a Windmill lock chose for a TypeScript script's imports, so that Sluice resolves the
/// same ones: npm and jsr packages by name, remote URLs Windmill followed to a versioned one
/// (Deno's `redirects`), and the SHA-256 of each remote module Windmill ran (Deno's `remote`).
///
/// Windmill's client is never pinned: Sluice has its own. Read with ``WindmillTypeScriptLock``.
public struct TypeScriptPins: Equatable, Sendable {
    /// npm package name → exact version.
    public var npm: [String: String] = [:]
    /// jsr package name (`@scope/name`) → exact version.
    public var jsr: [String: String] = [:]
    /// Remote URL → the URL it redirected to.
    public var redirects: [String: String] = [:]
    /// Remote URL → SHA-256 (hex) of its content.
    public var remote: [String: String] = [:]

    public init(npm: [String: String] = [:], jsr: [String: String] = [:], redirects: [String: String] = [:], remote: [String: String] = [:]) {
        self.npm = npm
        self.jsr = jsr
        self.redirects = redirects
        self.remote = remote
    }

    /// Nothing pinned.
    public var isEmpty: Bool { npm.isEmpty && jsr.isEmpty && redirects.isEmpty && remote.isEmpty }

    /// The pins for display: `lodash@4.17.21`, `jsr:@std/path@1.0.8`, `3 remote modules`.
    public var summary: [String] {
        npm.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" } + jsr.sorted { $0.key < $1.key }.map { "jsr:\($0.key)@\($0.value)" }
            + (remote.isEmpty ? [] : ["\(remote.count) remote module\(remote.count == 1 ? "" : "s")"])
    }
}
