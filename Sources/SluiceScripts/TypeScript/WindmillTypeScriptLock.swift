import Foundation
import SluiceCore

/// Reads the lock Windmill keeps with a TypeScript script (a `.script.lock` file of a `wmill sync`
/// folder, or a flow step's `lock:`) into the versions it pinned (``TypeScriptPins``).
///
/// Windmill writes two shapes:
/// - **Bun** (`language: bun`): the `package.json` it generated from the imports, a line
///   `//bun.lock` and Bun's text lockfile (JSON with trailing commas), or a line `//bun.lockb` and
///   Bun's binary lockfile in base64 (or `<empty>`). Deno cannot use Bun's lockfile; the version
///   Bun resolved for each dependency of the `package.json` is read from the text lockfile's
///   `packages` (an exact version in the `package.json` is taken when there is no text lockfile).
/// - **Deno** (`language: deno`): Deno's own lockfile, any version — v1/v2 (`{url: hash}`), v3
///   (`packages.specifiers`, `redirects`, `remote`), v4 and v5 (`specifiers`, `npm`, `jsr`,
///   `redirects`, `remote`); comment lines (`//…`) before it are skipped. Sluice's own lock
///   (``TypeScriptLock``) is read the same way.
///
/// Entries for Windmill's client (`windmill-client`, `https://deno.land/x/windmill@…`) are dropped:
/// Sluice resolves the client to its own module.
public enum WindmillTypeScriptLock {
    /// The pins of `text`; empty for an empty lock (Windmill's `lock: ''`). Throws, naming what is
    /// wrong, for text that is neither shape (a Python requirements file, say).
    public static func pins(from text: String) throws(TypeScriptLockError) -> TypeScriptPins {
        let text = text.replacingOccurrences(of: "\r\n", with: "\n")
        if text.trimmingWhitespace.isEmpty { return TypeScriptPins() }
        for marker in ["\n//bun.lockb\n", "\n//bun.lock\n"] {
            if let range = text.range(of: marker) {
                return try bunPins(
                    packageJSON: String(text[..<range.lowerBound]), lockfile: marker.contains("lockb") ? nil : String(text[range.upperBound...]))
            }
        }
        let json = text.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.trimmingWhitespace.hasPrefix("//") }.joined(
            separator: "\n")
        guard let document = try? JSONValue(parsing: json), document.objectValue != nil else {
            throw TypeScriptLockError("the lock is neither Deno's lockfile (JSON) nor Windmill's Bun lock (package.json, //bun.lock, Bun's lockfile)")
        }
        // Sluice's own lock (a script pulled and pushed again) pins what its Deno lockfile does.
        if document["sluice"]?.stringValue == TypeScriptLock.format, let deno = document["deno"] { return denoPins(deno) }
        return denoPins(document)
    }

    static func bunPins(packageJSON: String, lockfile: String?) throws(TypeScriptLockError) -> TypeScriptPins {
        guard let package = try? JSONValue(parsing: packageJSON), package.objectValue != nil else {
            throw TypeScriptLockError("the Bun lock's package.json (before //bun.lock) is not JSON")
        }
        var pins = TypeScriptPins()
        for (name, value) in (package["dependencies"]?.memberList ?? []) where name != "windmill-client" {
            if let lockfile, let version = bunLockedVersion(of: name, in: lockfile) {
                pins.npm[name] = version
            } else if let wanted = value.stringValue, isExactVersion(wanted) {
                pins.npm[name] = wanted
            }
        }
        return pins
    }

    /// The version Bun's text lockfile resolved for the dependency `name`: its `packages` entry
    /// `"name": ["name@1.2.3", …]`.
    static func bunLockedVersion(of name: String, in lockfile: String) -> String? {
        let entry = "\"" + name + "\": [\"" + name + "@"
        guard let start = lockfile.range(of: entry)?.upperBound else { return nil }
        let version = lockfile[start...].prefix { $0 != "\"" }
        return version.isEmpty || version.hasPrefix("npm:") || version.contains(":") ? nil : String(version)
    }

    static func denoPins(_ document: JSONValue) -> TypeScriptPins {
        var pins = TypeScriptPins()
        guard let version = document["version"]?.stringValue else {
            // Deno 1's first lockfiles: {url: hash}.
            for (url, hash) in document.memberList ?? [] where isRemote(url) && !isClient(url) {
                if let hash = hash.stringValue { pins.remote[url] = hash }
            }
            return pins
        }
        let specifiers = version == "2" || version == "3" ? document["packages"]?["specifiers"] : document["specifiers"]
        for (specifier, resolved) in specifiers?.memberList ?? [] {
            guard let resolved = resolved.stringValue else { continue }
            // v3 resolves to "npm:name@1.2.3"; v4+ to "1.2.3" (with "_peer@x" suffixes for peer dependencies).
            let exact = String((resolved.split(separator: "@").last.map(String.init) ?? resolved).prefix { $0 != "_" })
            guard isExactVersion(exact) else { continue }
            if specifier.hasPrefix("npm:"), let package = TypeScriptSpecifier.NPMPackage(parsing: specifier.dropFirst(4)),
                package.name != "windmill-client"
            {
                pins.npm[package.name] = exact
            } else if specifier.hasPrefix("jsr:"), let package = TypeScriptSpecifier.NPMPackage(parsing: specifier.dropFirst(4)) {
                pins.jsr[package.name] = exact
            }
        }
        for (from, to) in document["redirects"]?.memberList ?? [] where !isClient(from) {
            if let to = to.stringValue, !isClient(to) { pins.redirects[from] = to }
        }
        for (url, hash) in document["remote"]?.memberList ?? [] where !isClient(url) {
            if let hash = hash.stringValue { pins.remote[url] = hash }
        }
        return pins
    }

    static func isExactVersion(_ text: String) -> Bool {
        guard let first = text.first, first.isNumber else { return false }
        return text.allSatisfy { $0.isNumber || $0.isLetter || $0 == "." || $0 == "-" || $0 == "+" }
    }

    static func isRemote(_ url: String) -> Bool { url.hasPrefix("https://") || url.hasPrefix("http://") }

    static func isClient(_ url: String) -> Bool { TypeScriptSpecifier(url) == .windmillClient }
}

/// A TypeScript lock that cannot be read or made, with the reason (Deno's own message when Deno failed).
public struct TypeScriptLockError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
