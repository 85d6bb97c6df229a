import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// `sluice variable`, `sluice resource` and `sluice secrets` as an operator runs them, and the
/// worker's checks of its key file, against a private redis-server.
@Suite("sluice variable, resource and secrets as processes", .serialized, .tags(.processes))
struct VariableCommandTests {
    let server: RedisServer
    let directory: String

    init() async throws {
        server = try await RedisServer.start()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-keys-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    }

    func sluice(_ arguments: [String], _ keys: KeySpace, environment: [String: String] = [:]) async throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try await runCommand("sluice", arguments + ["--redis", server.url, "--prefix", keys.prefix], environment: environment)
    }

    @Test("keygen, set with the public key, show masked, reveal only with the private key, rotate keeping every value readable")
    func lifecycle() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = KeySpace.unique()
        let made = try await runCommand("sluice", ["secrets", "keygen", "--out", directory])
        #expect(made.status == 0, "\(made.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/secrets.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try await runCommand("sluice", ["secrets", "keygen", "--out", directory]).status != 0, "a key file was overwritten")

        let values = ["f/cli/one": "first-\(UUID().uuidString)", "f/cli/two": "second-\(UUID().uuidString)"]
        for (path, value) in values {
            let file = directory + "/value.txt"
            try (value + "\n").write(toFile: file, atomically: false, encoding: .utf8)
            let set = try await sluice(
                ["variable", "set", path, "--from-file", file, "--secret", "--allow", "f/cli/"], keys,
                environment: ["SLUICE_PUBLIC_KEY_FILE": directory + "/secrets.pub"])
            #expect(set.status == 0, "\(set.stderr)")
        }
        #expect(try await sluice(["variable", "set", "f/cli/plain", "visible"], keys).status == 0)
        let noKey = try await sluice(["variable", "set", "f/cli/three", "x", "--secret"], keys)
        #expect(noKey.status != 0 && noKey.stderr.contains("needs the secrets public key"), "\(noKey.stderr)")

        let listed = try await sluice(["variable", "list"], keys)
        #expect(listed.stdout.contains("********") && listed.stdout.contains("visible"))
        for value in values.values { #expect(!listed.stdout.contains(value)) }
        let masked = try await sluice(["variable", "show", "f/cli/one"], keys)
        #expect(masked.stdout.contains("********") && !masked.stdout.contains(values["f/cli/one"] ?? "?"))
        let refused = try await sluice(["variable", "show", "f/cli/one", "--reveal"], keys)
        #expect(refused.status != 0 && refused.stderr.contains("needs the secrets private key"), "\(refused.stderr)")
        let revealed = try await sluice(["variable", "show", "f/cli/one", "--reveal", "--secret-key", directory + "/secrets.key"], keys)
        #expect(revealed.stdout == (values["f/cli/one"] ?? "?") + "\n", "the trailing newline of the file is dropped")

        let connection = try server.connect()
        let stored = try connection.send(["HGET", .string(keys.variable("f/cli/one")), "value"]).string ?? ""
        #expect(stored.hasPrefix("hpke1.") && !stored.contains(values["f/cli/one"] ?? "?"))

        #expect(try await runCommand("sluice", ["secrets", "keygen", "--out", directory, "--name", "next"]).status == 0)
        let rotated = try await sluice(["secrets", "rotate", "--to", directory + "/next.pub", "--secret-key", directory + "/secrets.key"], keys)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.contains("2 secrets re-sealed"), "\(rotated.stdout)")
        for (path, value) in values {
            let old = try await sluice(["variable", "show", path, "--reveal", "--secret-key", directory + "/secrets.key"], keys)
            #expect(old.status != 0 && old.stderr.contains("sealed to key"), "\(old.stderr)")
            let new = try await sluice(["variable", "show", path, "--reveal", "--secret-key", directory + "/next.key"], keys)
            #expect(new.stdout == value + "\n", "\(new.stderr)")
        }
        let stale = try await sluice(["variable", "set", "f/cli/one", "x", "--secret", "--public-key", directory + "/secrets.pub"], keys)
        #expect(stale.status != 0 && stale.stderr.contains("the secrets key is"), "\(stale.stderr)")
        let status = try await sluice(["secrets", "status"], keys)
        #expect(status.stdout.contains("2 secrets sealed to"), "\(status.stdout)")
    }

    @Test("resources: set with $var: fields (a note for a missing one), show as stored, bad input refused")
    func resources() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = KeySpace.unique()
        let set = try await sluice(
            ["resource", "set", "f/cli/db", "--type", "postgresql", "--value", #"{"host": "db", "password": "$var:f/cli/pw"}"#, "--allow", "f/cli/"],
            keys)
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("note: $var:f/cli/pw names no variable yet"), "\(set.stdout)")
        let shown = try await sluice(["resource", "show", "f/cli/db", "--json"], keys)
        let value = try JSONValue(parsing: shown.stdout)
        #expect(value["value"] == ["host": "db", "password": "$var:f/cli/pw"])
        #expect(value["allow"] == ["f/cli/"])
        let broken = try await sluice(["resource", "set", "f/cli/bad", "--type", "x", "--value", "{nope"], keys)
        #expect(broken.status != 0 && broken.stderr.contains("not valid JSON"))
        let nested = try await sluice(["resource", "set", "f/cli/bad", "--type", "x", "--value", #"{"db": "$res:f/cli/db"}"#], keys)
        #expect(nested.status != 0 && nested.stderr.contains("not other resources"))
        #expect(try await sluice(["resource", "delete", "f/cli/db"], keys).status == 0)
        #expect(try await sluice(["resource", "delete", "f/cli/db"], keys).status != 0)
    }

    @Test("the worker refuses a secrets key that its jobs could read, and one that others can read")
    func workerKeyChecks() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try await runCommand("sluice", ["secrets", "keygen", "--out", directory]).status == 0)
        let env = ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": KeySpace.unique().prefix]
        let visible = try await runCommand("worker", ["--secret-key", directory + "/secrets.key", "--sandbox-show", directory], environment: env)
        #expect(visible.status != 0 && visible.stderr.contains("would be readable by jobs"), "\(visible.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory + "/secrets.key")
        let open = try await runCommand("worker", ["--secret-key", directory + "/secrets.key"], environment: env)
        #expect(open.status != 0 && open.stderr.contains("can be read by others"), "\(open.stderr)")
    }
}
