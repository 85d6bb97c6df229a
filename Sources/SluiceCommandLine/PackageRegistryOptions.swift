public import ArgumentParser
import Foundation

/// The registries TypeScript packages come from, for the worker (which fetches each lock's
/// packages) and for `sluice … push` (which locks them): `--npm-registry URL`, else Deno's
/// `NPM_CONFIG_REGISTRY`, else npm's; `--jsr-registry URL`, else Deno's `JSR_URL`, else jsr.io.
/// Workers and the pushing CLI should name the same registries: a lock records where each tarball
/// came from, and a worker keeps a cache per lock and registry.
public struct PackageRegistryOptions: ParsableArguments, Sendable {
    @Option(
        name: .long,
        help: "The npm registry (or mirror) TypeScript packages come from (env NPM_CONFIG_REGISTRY; default https://registry.npmjs.org/).")
    public var npmRegistry: String?

    @Option(name: .long, help: "The jsr registry TypeScript jsr: packages come from (env JSR_URL; default https://jsr.io/).")
    public var jsrRegistry: String?

    public init() {}

    public func validate() throws {
        for (name, value) in [("--npm-registry", npm), ("--jsr-registry", jsr)] {
            guard let value else { continue }
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
                throw ValidationError("\(name) must be an http(s) URL, got '\(value)'")
            }
        }
    }

    /// The npm registry: the option, else `NPM_CONFIG_REGISTRY`; `nil` for npm's.
    public var npm: String? { npmRegistry ?? Environment.value("NPM_CONFIG_REGISTRY") }

    /// The jsr registry: the option, else `JSR_URL`; `nil` for jsr.io.
    public var jsr: String? { jsrRegistry ?? Environment.value("JSR_URL") }
}
