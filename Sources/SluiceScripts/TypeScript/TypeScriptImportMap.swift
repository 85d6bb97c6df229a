import Foundation
import SluiceCore

/// The Deno import map a TypeScript script runs with, generated for it from its own imports
/// (``TypeScriptImports``): written next to the script in the job's directory, for each run, and
/// for `deno cache` when the script is locked at push.
///
/// Why an import map per script, and not rewriting the script or a Deno loader: the script runs as
/// written, so its stack traces point at its own lines and columns; an import map applies to
/// static and dynamic imports alike and to every module of the graph, which a rewrite of the
/// script's text would not reach; and Deno has no loader hooks for `deno run`. Import maps match
/// specifiers exactly, so a fixed map cannot know every version a script pins
/// (`npm:windmill-client@^1.158.2`, `windmill-client@1.323.2`,
/// `https://deno.land/x/windmill@v1.27.2/mod.ts`): the map lists the spellings the script uses.
public enum TypeScriptImportMap {
    /// Spellings of Windmill's client mapped for every script, whatever it imports (a module of
    /// the graph may import the client too).
    public static let standardClientSpellings = ["windmill-client", "windmill-client@1", "npm:windmill-client", "npm:windmill-client@1", "sluice"]

    /// Whether a script importing `specifiers` fetches anything (packages, remote modules), and
    /// so is locked at push and its downloads cached by workers.
    public static func needsLock(_ specifiers: [String]) -> Bool {
        specifiers.contains { TypeScriptSpecifier($0).isFetched }
    }

    /// The entries mapping every spelling of Windmill's client the script uses (and the standard
    /// ones) to `clientURL`, Sluice's client module on this machine.
    public static func clientEntries(for specifiers: [String], clientURL: String) -> [String: String] {
        var entries: [String: String] = [:]
        for spelling in standardClientSpellings + specifiers.filter({ TypeScriptSpecifier($0) == .windmillClient }) {
            entries[spelling] = clientURL
        }
        return entries
    }

    /// The entries that resolve what Deno would not, or not as Windmill did: Bun's bare package
    /// names as `npm:` packages, bare Node built-ins as `node:` modules, the versions `pins`
    /// chose (npm and jsr packages, redirected remote URLs), and modules that fail naming the
    /// import for Bun's own modules (`bun:sqlite`) and imports of other files (`./lib.ts`,
    /// `/f/folder/script`: Sluice runs a script as one file).
    public static func resolutions(for specifiers: [String], pins: TypeScriptPins = TypeScriptPins()) -> [String: String] {
        var entries: [String: String] = [:]
        for specifier in specifiers {
            switch TypeScriptSpecifier(specifier) {
            case .bare(let package):
                entries[specifier] = package.npmSpecifier(version: pins.npm[package.name])
            case .npm(let package):
                if let pinned = pins.npm[package.name] { entries[specifier] = package.npmSpecifier(version: pinned) }
            case .jsr:
                if let package = TypeScriptSpecifier.NPMPackage(parsing: specifier.dropFirst(4)), let pinned = pins.jsr[package.name] {
                    entries[specifier] = "jsr:" + package.name + "@" + pinned + (package.subpath.map { "/" + $0 } ?? "")
                }
            case .remote:
                if let target = pins.redirects[specifier] { entries[specifier] = target }
            case .nodeBuiltin(let name):
                entries[specifier] = "node:" + name
            case .bun, .path:
                entries[specifier] = failingModule(unsupportedMessage(specifier) ?? specifier)
            case .windmillClient, .native:
                break
            }
        }
        for (from, to) in pins.redirects where entries[from] == nil { entries[from] = to }
        return entries
    }

    /// Why an import cannot resolve here, for the imports that fail naming themselves (Bun's
    /// modules, other files); `nil` for the others. The runner also reports a named import of
    /// such a module (which fails as the modules are linked, before the failing module runs) with
    /// this message.
    public static func unsupportedMessage(_ specifier: String) -> String? {
        switch TypeScriptSpecifier(specifier) {
        case .bun:
            "\(specifier) is not supported by Sluice: it is one of Bun's own modules, and Sluice runs TypeScript on Deno"
        case .path:
            "importing \(specifier) is not supported by Sluice: a script runs as one file (Windmill's imports of other scripts do not resolve here)"
        default:
            nil
        }
    }

    /// The import map document: `{"imports": {…}}`, keys sorted.
    public static func document(_ entries: [String: String]) -> String {
        JSONValue(members: [("imports", JSONValue(strings: entries))]).prettyJSONText + "\n"
    }

    /// A module whose evaluation throws an `Error` with `message`, as a `data:` URL.
    static func failingModule(_ message: String) -> String {
        let source = "throw new Error(\(JSONValue.string(message).jsonText));\n"
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~")
        return "data:text/javascript," + (source.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }
}
