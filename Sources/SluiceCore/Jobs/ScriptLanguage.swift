/// The languages a script can be written in.
public enum ScriptLanguage: String, Sendable, CaseIterable, Codable {
    case bash
    case python3
    /// TypeScript, run on Deno. Windmill's `bun` and `nativets` scripts are TypeScript too and run
    /// here the same way (see ``init(windmillName:)``).
    case deno

    /// The language a file's extension names: `.sh` and `.bash` are bash, `.py` is python3, `.ts`
    /// (and `.mts`) is TypeScript on Deno.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "sh", "bash": self = .bash
        case "py": self = .python3
        case "ts", "mts": self = .deno
        default: return nil
        }
    }

    /// The language a Windmill flow or script names: `bash`, `python3`, and the TypeScript runtimes
    /// `deno`, `bun` and `nativets` (all run on Deno). `nil` for any other name.
    public init?(windmillName: String) {
        switch windmillName {
        case "bash": self = .bash
        case "python3": self = .python3
        case "deno", "bun", "nativets", "typescript": self = .deno
        default: return nil
        }
    }

    /// Every name ``init(windmillName:)`` accepts, for error messages.
    public static let windmillNames = ["bash", "python3", "deno", "bun", "nativets"]
}
