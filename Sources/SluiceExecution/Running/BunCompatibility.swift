import Foundation

/// The `Bun` global for TypeScript written for Bun (Windmill's `language: bun`), which Sluice runs
/// on Deno: the runtime's `bun.ts`, installed before the script is imported when the script names
/// `Bun` (``usesBun(_:)``) — never otherwise, since libraries that find a `Bun` global take it for
/// Bun itself.
///
/// It offers what Bun scripts use most, on Deno's APIs and within the job's Deno permissions:
/// - `Bun.env`: the job's environment (its `--env` variables, `SLUICE_*`, `PATH`…), read from the
///   run's context, so no Deno `env` permission is needed;
/// - `Bun.file(path)`: `text()`, `json()`, `arrayBuffer()`, `bytes()`, `exists()`, `size`, `type`,
///   `name`, `write(data)`, `delete()` — paths are the job's own (its scratch directory is where it
///   may read and write);
/// - `Bun.write(destination, data)`: a string, bytes, a `Blob`, a `Response` or another
///   `Bun.file`; resolves to the bytes written;
/// - `Bun.sleep(ms | Date)`, `Bun.sleepSync(ms)`, `Bun.version`, `Bun.main`.
///
/// Any other member throws `Bun.NAME is not supported by Sluice …`, naming it.
enum BunCompatibility {
    /// Whether `script` names the `Bun` global (as an identifier, not inside a longer name).
    static func usesBun(_ script: String) -> Bool {
        var rest = Substring(script)
        while let range = rest.range(of: "Bun") {
            let before = rest[..<range.lowerBound].last
            let after = rest[range.upperBound...].first
            let partOfName: (Character?) -> Bool = { $0.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" } ?? false }
            if !partOfName(before), before != ".", !partOfName(after) { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }

    /// `Programs/deno/bun.ts`.
    static let module = String(decoding: PackageResources.bun_ts, as: UTF8.self)
}
