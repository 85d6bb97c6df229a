import Foundation
import SluiceSecrets
import Testing

@Suite("Secrets sealed with HPKE")
struct SecretSealTests {
    @Test("a secret sealed to the public key opens with the private key, and only for its own path")
    func roundTrip() throws {
        let key = SecretPrivateKey.generate()
        let seal = try SecretSeal.seal("s3cr3t ✓", path: "f/pay/token", to: key.publicKey)
        #expect(seal.keyID == key.id)
        #expect(!seal.text.contains("s3cr3t"))
        let read = try SecretSeal(text: seal.text)
        #expect(try read.open(path: "f/pay/token", with: key) == "s3cr3t ✓")
        #expect(throws: SecretError.self) { try read.open(path: "f/other/token", with: key) }
        #expect(throws: SecretError.self) { try read.open(path: "f/pay/token", with: SecretPrivateKey.generate()) }
    }

    @Test("every seal is fresh: the same value sealed twice gives two different texts")
    func freshness() throws {
        let key = SecretPrivateKey.generate()
        let first = try SecretSeal.seal("same", path: "f/a/b", to: key.publicKey).text
        let second = try SecretSeal.seal("same", path: "f/a/b", to: key.publicKey).text
        #expect(first != second)
    }

    @Test("an altered ciphertext does not open; a malformed text is refused")
    func tampering() throws {
        let key = SecretPrivateKey.generate()
        var text = Array(try SecretSeal.seal("value", path: "f/a/b", to: key.publicKey).text)
        let last = text.count - 3
        text[last] = text[last] == "A" ? "B" : "A"
        let altered = try SecretSeal(text: String(text))
        #expect(throws: SecretError.self) { try altered.open(path: "f/a/b", with: key) }
        #expect(throws: SecretError.self) { try SecretSeal(text: "hpke1.nope") }
    }

    @Test("the keyring opens with the key a seal names, and says which key is missing")
    func keyring() throws {
        let old = SecretPrivateKey.generate()
        let new = SecretPrivateKey.generate()
        let sealed = try SecretSeal.seal("v", path: "f/a/b", to: old.publicKey).text
        #expect(try SecretKeyring([new, old]).open(sealed, path: "f/a/b") == "v")
        do {
            _ = try SecretKeyring([new]).open(sealed, path: "f/a/b")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.description.contains(old.id) && error.description.contains(new.id), "\(error)")
            #expect(!error.description.contains("\"v\""))
        }
        #expect(throws: SecretError.self) { try SecretKeyring([]).open(sealed, path: "f/a/b") }
    }

    @Test("key files: written owner-only, read back, never overwritten; a private key others can read is refused")
    func keyFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-keys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = SecretPrivateKey.generate()
        try SecretKeyFile.write(key.fileText, to: directory + "/secrets.key")
        try SecretKeyFile.write(key.publicKey.fileText, to: directory + "/secrets.pub")
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/secrets.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try SecretKeyFile.privateKey(at: directory + "/secrets.key").id == key.id)
        #expect(try SecretKeyFile.publicKey(at: directory + "/secrets.pub") == key.publicKey)
        #expect(try SecretKeyFile.publicKey(at: directory + "/secrets.key") == key.publicKey)
        #expect(throws: SecretError.self) { try SecretKeyFile.write("x", to: directory + "/secrets.key") }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory + "/secrets.key")
        #expect(throws: SecretError.self) { try SecretKeyFile.privateKey(at: directory + "/secrets.key") }
        #expect(throws: SecretError.self) { try SecretKeyFile.privateKey(at: directory + "/missing.key") }
    }
}
