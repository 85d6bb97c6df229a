/// The languages a script can be written in.
public enum ScriptLanguage: String, Sendable, CaseIterable, Codable {
    case bash
    case python3

    /// The language a file's extension names: `.sh` and `.bash` are bash, `.py` is python3.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "sh", "bash": self = .bash
        case "py": self = .python3
        default: return nil
        }
    }
}
