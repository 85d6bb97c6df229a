/// The private keys a process holds (a worker's `--secret-key` files): usually one, two while a
/// rotation is under way. A sealed secret names the key it was sealed to; the keyring opens it
/// with that key, or says clearly which key is missing.
public struct SecretKeyring: Sendable {
    public let keys: [SecretPrivateKey]

    public init(_ keys: [SecretPrivateKey]) {
        self.keys = keys
    }

    /// The ids of the keys held.
    public var ids: [String] { keys.map(\.id) }

    /// The value of the sealed secret `text` stored at `path`.
    public func open(_ text: String, path: String) throws(SecretError) -> String {
        let seal = try SecretSeal(text: text)
        guard let key = keys.first(where: { $0.id == seal.keyID }) else {
            let held = keys.isEmpty ? "no secrets key (worker --secret-key FILE, or SLUICE_SECRET_KEY_FILE)" : "key \(ids.joined(separator: ", "))"
            throw SecretError("the secret at '\(path)' is sealed to key \(seal.keyID); this process holds \(held)")
        }
        return try seal.open(path: path, with: key)
    }
}
