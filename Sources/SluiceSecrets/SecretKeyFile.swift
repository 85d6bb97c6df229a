import Foundation
import Glibc
import SluiceCore

/// Key files on disk: written owner-only (0600) by `sluice secrets keygen`; a private key file
/// that others can read is refused, as ssh refuses such a key.
public enum SecretKeyFile {
    /// Reads the private key at `path`, refusing a file that is not the caller's own or that its
    /// group or others can read.
    public static func privateKey(at path: String) throws(SecretError) -> SecretPrivateKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SecretError("cannot read the secrets key \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw SecretError("the secrets key \(path) is not a regular file") }
        guard info.st_mode & 0o077 == 0 else {
            throw SecretError(
                "the secrets key \(path) can be read by others (mode \(String(info.st_mode & 0o777, radix: 8))): chmod 600 it, or make a new key")
        }
        guard info.st_uid == geteuid() || geteuid() == 0 else {
            throw SecretError("the secrets key \(path) belongs to uid \(info.st_uid), not to this process's uid \(geteuid())")
        }
        return try SecretPrivateKey(fileText: try read(path))
    }

    /// Reads the public key at `path`; a private key file is accepted too (its public half is used).
    public static func publicKey(at path: String) throws(SecretError) -> SecretPublicKey {
        let text = try read(path)
        if text.contains(SecretPrivateKey.fileTag) { return try privateKey(at: path).publicKey }
        return try SecretPublicKey(fileText: text)
    }

    /// Writes `text` to a new owner-only file at `path`; refuses to replace an existing file.
    public static func write(_ text: String, to path: String) throws(SecretError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it exists already (keys are never overwritten)" : String(cString: strerror(errno))
            throw SecretError("cannot write \(path): \(reason)")
        }
        defer { close(descriptor) }
        if let failure = DescriptorWriter.writeAll(Array(text.utf8), to: descriptor) { throw SecretError("cannot write \(path): \(failure)") }
        guard fsync(descriptor) == 0 else { throw SecretError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    private static func read(_ path: String) throws(SecretError) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SecretError("cannot read the key file \(path)")
        }
        return text
    }
}
