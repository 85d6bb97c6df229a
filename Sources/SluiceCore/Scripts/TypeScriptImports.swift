/// The module specifiers a TypeScript script imports, read from its text: static imports
/// (`import x from "a"`, `import "a"`, `import type … from "a"`), re-exports
/// (`export … from "a"`) and dynamic imports of a string literal (`import("a")`).
///
/// The scan understands comments, strings, template literals and regular expression literals
/// (the same lexing as ``TypeScriptSignature``), so an import inside a comment — a commented-out
/// `// import * as wmill from "https://deno.land/x/windmill@v1.36.0/mod.ts"` — or inside a string
/// is not one. A dynamic import of anything but a plain string literal (`import(name)`,
/// ``import(`./${x}`)``) has no specifier to read and is not listed.
public enum TypeScriptImports {
    /// Every specifier, once each, in the order they first appear.
    public static func specifiers(in script: String) -> [String] {
        let scalars = Array(script.unicodeScalars)
        var found: [String] = []
        var seen = Set<String>()
        // The last two significant tokens before the current position: words, or single punctuation.
        var previous: [String] = []
        var index = 0
        func remember(_ token: String) {
            previous.append(token)
            if previous.count > 2 { previous.removeFirst() }
        }
        while index < scalars.count {
            if let end = TypeScriptSignature.skipTrivia(scalars, at: index) {
                index = end
                continue
            }
            let scalar = scalars[index]
            if scalar == "\"" || scalar == "'", let end = TypeScriptSignature.skipString(scalars, at: index) {
                let isImport =
                    previous.last == "from" || previous.last == "import" || (previous.last == "(" && previous.first == "import")
                if isImport, end - 1 > index + 1 {
                    let text = String(String.UnicodeScalarView(scalars[(index + 1)..<(end - 1)]))
                    if !text.contains("\\"), seen.insert(text).inserted { found.append(text) }
                }
                remember("\"")
                index = end
                continue
            }
            if let end = TypeScriptSignature.skipString(scalars, at: index) {
                remember("`")
                index = end
                continue
            }
            if isWordScalar(scalar) {
                var end = index
                while end < scalars.count, isWordScalar(scalars[end]) { end += 1 }
                // `x.from "a"` cannot occur; a property named `from` or `import` is harmless, as a string must follow.
                let word = String(String.UnicodeScalarView(scalars[index..<end]))
                remember(index > 0 && scalars[index - 1] == "." ? "." + word : word)
                index = end
                continue
            }
            remember(String(scalar))
            index += 1
        }
        return found
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar == "$" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
    }
}
