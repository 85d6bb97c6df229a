/// Why a secret cannot be sealed or opened, or a key file read. Messages name paths, key ids and
/// files — never a secret's value.
public struct SecretError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
