import Crypto

/// Content addresses: the hex SHA-256 of a script's text names it in `content:<hash>`.
public enum ContentHash {
    /// The hex SHA-256 of `text`'s UTF-8 bytes.
    public static func of(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Array(text.utf8)))
    }
}
