import Foundation
public import SluiceCore
public import SluiceStore

/// How the CLI shows variables: a secret's value is `********` unless it was revealed.
public enum VariablePresenter {
    /// The value to print: a plain value (cut to `limit` characters), a secret masked or revealed.
    public static func shown(_ variable: StoredVariable, revealed: String?, limit: Int?) -> String {
        if variable.isSecret { return revealed ?? SecretRedactor.mask }
        let flat = variable.storedValue.replacingOccurrences(of: "\n", with: "\\n")
        guard let limit, flat.count > limit else { return flat }
        return String(flat.prefix(limit - 1)) + "…"
    }

    /// The variable as JSON, for `--json`; a secret's sealed text never appears.
    public static func json(_ variable: StoredVariable, revealed: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("path", .string(variable.path)), ("secret", .bool(variable.isSecret)),
            ("value", .string(variable.isSecret ? (revealed ?? SecretRedactor.mask) : variable.storedValue)),
            ("description", .string(variable.description)), ("allow", .array(variable.access.prefixes.map { .string($0) })),
            ("version", .number(Double(variable.version))), ("created_at", .number(Double(variable.createdAt))),
            ("updated_at", .number(Double(variable.updatedAt))),
        ]
        if let keyID = variable.keyID { members.append(("key_id", .string(keyID))) }
        return JSONValue(members: members)
    }
}
