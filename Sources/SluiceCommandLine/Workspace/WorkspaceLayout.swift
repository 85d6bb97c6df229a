import Foundation
public import SluiceCore

/// How `wmill sync` names things in a workspace folder: the extension of each script language,
/// the suffixes of metadata and item files, flow folders, inline script files.
public enum WorkspaceLayout {
    /// Code file extensions with the Windmill language they mean, longest first. `ts` is the
    /// workspace's `defaultTs`.
    static let scriptExtensions: [(suffix: String, language: String)] = [
        (".deno.ts", "deno"), (".bun.ts", "bun"), (".fetch.ts", "nativets"), (".native.ts", "nativets"),
        (".pg.sql", "postgresql"), (".my.sql", "mysql"), (".bq.sql", "bigquery"), (".sf.sql", "snowflake"),
        (".ms.sql", "mssql"), (".duckdb.sql", "duckdb"), (".odb.sql", "oracledb"), (".playbook.yml", "ansible"),
        (".py", "python3"), (".ts", "ts"), (".sh", "bash"), (".go", "go"), (".ps1", "powershell"), (".gql", "graphql"),
        (".php", "php"), (".rs", "rust"), (".cs", "csharp"), (".nu", "nu"), (".java", "java"), (".rb", "ruby"),
    ]

    /// The extension Sluice writes for a language.
    public static func fileExtension(_ language: ScriptLanguage) -> String {
        switch language {
        case .bash: "sh"
        case .python3: "py"
        case .deno: "ts"
        }
    }

    /// The code file's path without its extension, and the Windmill language its extension names.
    static func script(file: String, defaultTypeScript: String) -> (base: String, language: String)? {
        guard let match = scriptExtensions.first(where: { file.hasSuffix($0.suffix) }) else { return nil }
        return (String(file.dropLast(match.suffix.count)), match.language == "ts" ? defaultTypeScript : match.language)
    }

    /// A flow's folder name: `name.flow`, or `name__flow` with `nonDottedPaths`.
    public static func flowFolder(_ path: String, nonDotted: Bool) -> String {
        path + (nonDotted ? "__flow" : ".flow")
    }

    /// The path a flow folder holds, from its name.
    static func flowPath(folder: String) -> String? {
        for suffix in [".flow", "__flow"] where folder.hasSuffix(suffix) && folder.count > suffix.count {
            return String(folder.dropLast(suffix.count))
        }
        return nil
    }

    /// Item files by suffix (YAML or JSON).
    static func item(_ file: String, _ kind: String) -> String? {
        for suffix in [".\(kind).yaml", ".\(kind).yml", ".\(kind).json"] where file.hasSuffix(suffix) && file.count > suffix.count {
            return String(file.dropLast(suffix.count))
        }
        return nil
    }

    /// An inline script's file name in a flow folder, as `wmill` chooses it: the module's summary
    /// (else its id) lower-cased with spaces as `_`, `.inline_script.` and the extension.
    /// `taken` holds the names already used in this flow: a repeat gets `_1`, `_2`...
    static func inlineScriptName(summary: String?, id: String, language: ScriptLanguage, taken: inout Set<String>) -> String {
        var stem = (summary.flatMap { $0.isEmpty ? nil : $0 } ?? id).lowercased().replacingOccurrences(of: " ", with: "_")
        stem = String(
            stem.unicodeScalars.map { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar))
                    ? Character(scalar) : "_"
            })
        if stem.isEmpty || stem.hasPrefix(".") { stem = "inline_script_" + stem }
        var name = stem
        var counter = 0
        while taken.contains(name) {
            counter += 1
            name = "\(stem)_\(counter)"
        }
        taken.insert(name)
        return "\(name).inline_script.\(fileExtension(language))"
    }
}
