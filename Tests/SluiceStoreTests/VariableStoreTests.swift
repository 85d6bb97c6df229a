import Foundation
import SluiceCore
import SluiceRedis
import SluiceSecrets
import SluiceStore
import SluiceTesting
import Testing

/// Variables, secrets, resources and their scripts against a real redis-server: what is stored,
/// what each script refuses, rotation, and what a caller resolves.
@Suite("Variables, secrets and resources in Redis", .serialized)
struct VariableStoreTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    /// Every string Redis holds under `keys`, as one text: what `redis-cli` would show.
    func everything(_ keys: KeySpace, on connection: RedisConnection) throws -> String {
        var text = ""
        for key in try connection.send(["KEYS", .string(keys.prefix + "*")]).array?.compactMap(\.string) ?? [] {
            let type = try connection.send(["TYPE", .string(key)]).string
            switch type {
            case "hash": text += (try connection.send(["HGETALL", .string(key)]).array ?? []).compactMap(\.string).joined(separator: " ")
            case "string": text += try connection.send(["GET", .string(key)]).string ?? ""
            case "zset": text += (try connection.send(["ZRANGE", .string(key), "0", "-1"]).array ?? []).compactMap(\.string).joined(separator: " ")
            default: text += key
            }
            text += "\n"
        }
        return text
    }

    @Test("a secret is stored sealed — Redis never holds its plaintext — and opens with the private key; a plain value is stored as it is")
    func sealedAtRest() throws {
        let keys = KeySpace.unique()
        let connection = try server.connect()
        let store = VariableStore(keys: keys)
        let key = SecretPrivateKey.generate()
        let secret = "sk_live_\(UUID().uuidString)"
        let seal = try SecretSeal.seal(secret, path: "f/pay/stripe", to: key.publicKey)
        let created = try store.set(
            VariableUpdate(
                path: "f/pay/stripe", value: .sealed(seal, publicKey: key.publicKey), description: "Stripe", access: AccessRule(prefixes: ["f/pay/"])),
            on: connection)
        #expect(created == (true, 1))
        try store.set(VariableUpdate(path: "f/pay/region", value: .plain("eu-west-1")), on: connection)
        let dump = try everything(keys, on: connection)
        #expect(!dump.contains(secret))
        #expect(dump.contains("eu-west-1"))
        let stored = try #require(try store.variable(at: "f/pay/stripe", on: connection))
        #expect(stored.isSecret && stored.keyID == key.id && stored.description == "Stripe" && stored.access.prefixes == ["f/pay/"])
        #expect(try SecretKeyring([key]).open(stored.storedValue, path: "f/pay/stripe") == secret)
        #expect(try store.registeredKey(on: connection) == key.publicKey)
        #expect(try store.list(on: connection).map(\.path) == ["f/pay/region", "f/pay/stripe"])

        // Updating the value keeps the description and the access rule unless they are given.
        let again = try SecretSeal.seal("rotated-by-hand", path: "f/pay/stripe", to: key.publicKey)
        #expect(try store.set(VariableUpdate(path: "f/pay/stripe", value: .sealed(again, publicKey: key.publicKey)), on: connection) == (false, 2))
        let updated = try #require(try store.variable(at: "f/pay/stripe", on: connection))
        #expect(updated.description == "Stripe" && updated.access.prefixes == ["f/pay/"])
        #expect(try store.delete("f/pay/region", on: connection))
        #expect(try !store.delete("f/pay/region", on: connection))
    }

    @Test("refused, with nothing changed: a secret set as plain, a secret sealed to a key that is not the registered one")
    func refusals() throws {
        let keys = KeySpace.unique()
        let connection = try server.connect()
        let store = VariableStore(keys: keys)
        let key = SecretPrivateKey.generate()
        try store.set(
            VariableUpdate(
                path: "f/a/token", value: .sealed(try SecretSeal.seal("v", path: "f/a/token", to: key.publicKey), publicKey: key.publicKey)),
            on: connection)
        let before = try #require(try store.variable(at: "f/a/token", on: connection))
        #expect(throws: StoreRefusal.self) { try store.set(VariableUpdate(path: "f/a/token", value: .plain("v")), on: connection) }
        let other = SecretPrivateKey.generate()
        do {
            try store.set(
                VariableUpdate(
                    path: "f/a/token", value: .sealed(try SecretSeal.seal("w", path: "f/a/token", to: other.publicKey), publicKey: other.publicKey)),
                on: connection)
            Issue.record("expected a refusal")
        } catch let refusal as StoreRefusal {
            #expect(refusal.description.contains(key.id), "\(refusal)")
        }
        #expect(try store.variable(at: "f/a/token", on: connection) == before)
        #expect(try store.registeredKey(on: connection) == key.publicKey)
    }

    @Test("rotation re-seals every secret to the new key at once; a secret changed meanwhile makes it apply nothing")
    func rotation() throws {
        let keys = KeySpace.unique()
        let connection = try server.connect()
        let store = VariableStore(keys: keys)
        let old = SecretPrivateKey.generate()
        let new = SecretPrivateKey.generate()
        let values = (1...5).map { ("f/r/s\($0)", "value-\($0)-\(UUID().uuidString)") }
        for (path, value) in values {
            try store.set(
                VariableUpdate(path: path, value: .sealed(try SecretSeal.seal(value, path: path, to: old.publicKey), publicKey: old.publicKey)),
                on: connection)
        }
        try store.set(VariableUpdate(path: "f/r/plain", value: .plain("p")), on: connection)
        let secrets = try store.list(on: connection).filter(\.isSecret)
        let resealed = try secrets.map { stored in
            (
                path: stored.path, read: stored.storedValue,
                sealed: try SecretSeal.seal(
                    try SecretKeyring([old]).open(stored.storedValue, path: stored.path), path: stored.path, to: new.publicKey
                ).text
            )
        }
        // One secret set between the read and the rotation: nothing is applied.
        try store.set(
            VariableUpdate(
                path: "f/r/s1", value: .sealed(try SecretSeal.seal("changed", path: "f/r/s1", to: old.publicKey), publicKey: old.publicKey)),
            on: connection)
        #expect(throws: RotationConflict.self) { try store.rotate(from: old.id, to: new.publicKey, resealed: resealed, on: connection) }
        #expect(try store.registeredKey(on: connection) == old.publicKey)
        #expect(try store.list(on: connection).filter(\.isSecret).allSatisfy { $0.keyID == old.id })

        let fresh = try store.list(on: connection).filter(\.isSecret).map { stored in
            (
                path: stored.path, read: stored.storedValue,
                sealed: try SecretSeal.seal(
                    try SecretKeyring([old]).open(stored.storedValue, path: stored.path), path: stored.path, to: new.publicKey
                ).text
            )
        }
        #expect(throws: StoreRefusal.self) { try store.rotate(from: new.id, to: new.publicKey, resealed: fresh, on: connection) }
        #expect(try store.rotate(from: old.id, to: new.publicKey, resealed: fresh, on: connection) == 5)
        #expect(try store.registeredKey(on: connection) == new.publicKey)
        let expected = Dictionary(uniqueKeysWithValues: values).merging(["f/r/s1": "changed"]) { $1 }
        for stored in try store.list(on: connection).filter(\.isSecret) {
            #expect(stored.keyID == new.id)
            #expect(try SecretKeyring([new]).open(stored.storedValue, path: stored.path) == expected[stored.path])
            #expect(throws: SecretError.self) { try SecretKeyring([old]).open(stored.storedValue, path: stored.path) }
        }
    }

    @Test("a caller resolves what it may read: secrets opened, resources with their $var: fields, clear errors for the rest")
    func resolution() throws {
        let keys = KeySpace.unique()
        let connection = try server.connect()
        let key = SecretPrivateKey.generate()
        let variables = VariableStore(keys: keys)
        let resources = ResourceStore(keys: keys)
        try variables.set(
            VariableUpdate(
                path: "f/pay/password",
                value: .sealed(try SecretSeal.seal("pw-1", path: "f/pay/password", to: key.publicKey), publicKey: key.publicKey),
                access: AccessRule(prefixes: ["f/pay/"])), on: connection)
        try variables.set(VariableUpdate(path: "f/shared/host", value: .plain("db.internal")), on: connection)
        try resources.set(
            path: "f/pay/db", type: "postgresql", value: ["host": "$var:f/shared/host", "password": "$var:f/pay/password", "port": 5432],
            on: connection)
        let resolver = VariableResolver(keys: keys, keyring: SecretKeyring([key]))
        let wanted: Set<Reference> = [
            Reference(.variable, "f/pay/password"), Reference(.resource, "f/pay/db"), Reference(.variable, "f/nope/missing"),
            Reference(.variable, "f/shared/host"),
        ]
        let allowed = try resolver.resolve(wanted, for: Caller(paths: ["f/pay/refund"]), on: connection)
        #expect(allowed.values[Reference(.variable, "f/pay/password")] == .value("pw-1"))
        #expect(allowed.values[Reference(.resource, "f/pay/db")] == .value(["host": "db.internal", "password": "pw-1", "port": 5432]))
        #expect(allowed.values[Reference(.variable, "f/nope/missing")] == .failure("variable 'f/nope/missing' does not exist"))
        #expect(allowed.secrets.secrets == ["pw-1"])
        #expect(allowed.refusals.isEmpty)

        let outside = try resolver.resolve(wanted, for: Caller(paths: ["f/other/job"]), on: connection)
        guard case .failure(let message)? = outside.values[Reference(.variable, "f/pay/password")] else {
            Issue.record("expected a refusal")
            return
        }
        #expect(message.contains("permission denied") && message.contains("f/pay/") && message.contains("f/other/job"), "\(message)")
        guard case .failure(let nested)? = outside.values[Reference(.resource, "f/pay/db")] else {
            Issue.record("expected the resource to fail on its secret field")
            return
        }
        #expect(nested.hasPrefix("resource 'f/pay/db': permission denied"), "\(nested)")
        #expect(outside.values[Reference(.variable, "f/shared/host")] == .value("db.internal"))
        #expect(outside.secrets.isEmpty)
        #expect(!outside.refusals.isEmpty)

        let withoutKey = try VariableResolver(keys: keys, keyring: SecretKeyring([])).resolve(
            [Reference(.variable, "f/pay/password")], for: Caller(paths: ["f/pay/x"]), on: connection)
        guard case .failure(let keyless)? = withoutKey.values[Reference(.variable, "f/pay/password")] else {
            Issue.record("expected a failure without the key")
            return
        }
        #expect(keyless.contains("sealed to key \(key.id)") && keyless.contains("no secrets key"), "\(keyless)")
    }
}
