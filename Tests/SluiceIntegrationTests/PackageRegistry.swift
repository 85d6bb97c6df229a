import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceStore
import SluiceTesting
import Synchronization
import Testing

/// A local npm- and jsr-compatible registry (and a host of remote modules) for the TypeScript
/// package tests, which reach no real registry: real HTTP on a free port, serving the package
/// documents, tarballs and modules a test builds. ``stop()`` takes it down (connections refused),
/// as a registry that went away.
///
/// - npm: `GET /NAME` answers the package document (`dist-tags`, `versions` with each tarball's
///   URL and `sha512` integrity), `GET /NAME/-/NAME-VERSION.tgz` the tarball — a real gzip'd tar
///   (made with tar) of `package/package.json` and `package/index.js`.
/// - jsr: `GET /@SCOPE/NAME/meta.json`, `/@SCOPE/NAME/VERSION_meta.json` (the manifest with each
///   file's SHA-256) and `/@SCOPE/NAME/VERSION/mod.ts`.
/// - remote modules: `GET /remote/NAME.ts`.
final class PackageRegistry: Sendable {
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/" }
    private let files: [String: (type: String, body: Data)]
    private let log = RequestLog()
    private let task = Mutex<Task<Void, any Error>?>(nil)

    /// An npm package version: its main module (CommonJS) exports `source`.
    struct NPMVersion {
        var name: String
        var version: String
        var source: String
    }

    /// A jsr package version with one module, `mod.ts`.
    struct JSRVersion {
        var scope: String
        var name: String
        var version: String
        var module: String
    }

    /// Builds the files and starts serving them.
    init(npm: [NPMVersion], jsr: [JSRVersion] = [], remote: [String: String] = [:]) async throws {
        port = try RedisServer.freePort()
        let base = "http://127.0.0.1:\(port)"
        var files: [String: (type: String, body: Data)] = [:]
        for (name, versions) in Dictionary(grouping: npm, by: \.name) {
            var documentVersions: [(String, JSONValue)] = []
            for version in versions {
                let tarball = try Self.tarball(version)
                let file = "/\(name)/-/\(name)-\(version.version).tgz"
                files[file] = ("application/octet-stream", tarball)
                documentVersions.append(
                    (
                        version.version,
                        [
                            "name": .string(name), "version": .string(version.version),
                            "dist": ["tarball": .string(base + file), "integrity": .string("sha512-" + (try Self.sha512(tarball)))],
                        ]
                    ))
            }
            let latest = versions.map(\.version).max { $0.compare($1, options: .numeric) == .orderedAscending } ?? ""
            let document: JSONValue = [
                "name": .string(name), "dist-tags": ["latest": .string(latest)], "versions": JSONValue(members: documentVersions),
            ]
            files["/" + name] = ("application/json", Data(document.jsonText.utf8))
        }
        for package in jsr {
            let root = "/@\(package.scope)/\(package.name)"
            files[root + "/meta.json"] = (
                "application/json",
                Data(
                    ([
                        "scope": .string(package.scope), "name": .string(package.name), "latest": .string(package.version),
                        "versions": JSONValue(members: [(package.version, [:])]),
                    ] as JSONValue).jsonText.utf8)
            )
            let manifest: JSONValue = [
                "manifest": [
                    "/mod.ts": [
                        "size": .number(Double(package.module.utf8.count)), "checksum": .string("sha256-" + ContentHash.of(package.module)),
                    ]
                ],
                "exports": [".": "./mod.ts"],
            ]
            files[root + "/\(package.version)_meta.json"] = ("application/json", Data(manifest.jsonText.utf8))
            files[root + "/\(package.version)/mod.ts"] = ("application/typescript", Data(package.module.utf8))
        }
        for (name, source) in remote { files["/remote/" + name] = ("application/typescript", Data(source.utf8)) }
        self.files = files
        try await start()
    }

    /// The paths requested so far.
    var requests: [String] { log.paths.withLock { $0 } }

    private func start() async throws {
        let router = Router()
        let files = files
        let log = log
        router.get("**") { request, _ -> Response in
            let path = request.uri.path
            log.paths.withLock { $0.append(path) }
            guard let file = files[path] ?? files[path.removingPercentEncoding ?? path] else { return Response(status: .notFound) }
            return Response(
                status: .ok, headers: [.contentType: file.type], body: ResponseBody(byteBuffer: ByteBuffer(bytes: Array(file.body))))
        }
        let running = Mutex<Bool>(false)
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "sluice-test-registry"),
            onServerRunning: { _ in running.withLock { $0 = true } }, logger: Logger(label: "test.registry"))
        task.withLock { $0 = Task { try await application.runService() } }
        // Generous: under make test's load this process's threads can be busy for seconds.
        let deadline = ContinuousClock.now + .seconds(60)
        while !running.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(running.withLock { $0 }, "the test registry did not start")
    }

    /// Takes the registry down: the port refuses connections afterwards.
    func stop() async {
        let running = task.withLock { task -> Task<Void, any Error>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        _ = try? await running?.value
    }

    deinit {
        task.withLock { $0?.cancel() }
    }

    /// A gzip'd tar of `package/package.json` and `package/index.js`, made with tar.
    private static func tarball(_ version: NPMVersion) throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-npm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let package = directory.appendingPathComponent("package")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        let manifest: JSONValue = ["name": .string(version.name), "version": .string(version.version), "main": "index.js"]
        try manifest.jsonText.write(to: package.appendingPathComponent("package.json"), atomically: true, encoding: .utf8)
        try version.source.write(to: package.appendingPathComponent("index.js"), atomically: true, encoding: .utf8)
        let archive = directory.appendingPathComponent("package.tgz").path
        let made = try runProcess("/bin/tar", ["-czf", archive, "-C", directory.path, "package"])
        #expect(made.status == 0, "tar: \(made.stderr)")
        return try Data(contentsOf: URL(fileURLWithPath: archive))
    }

    /// The base64 SHA-512 of `data` (npm's integrity), from sha512sum.
    private static func sha512(_ data: Data) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-npm-\(UUID().uuidString).tgz")
        defer { try? FileManager.default.removeItem(at: file) }
        try data.write(to: file)
        let hex = try runProcess("/usr/bin/sha512sum", [file.path]).stdout.prefix(128)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return Data(bytes).base64EncodedString()
    }
}

/// The paths a ``PackageRegistry`` was asked for.
final class RequestLog: Sendable {
    let paths = Mutex<[String]>([])
}
