import Foundation
import Hummingbird
import Logging
import SluiceConsole
import SluiceCore
import SluiceStore
import SluiceTesting
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The console (real HTTP on a free port) and a real worker around one private redis-server and
/// one key space, for the console tests.
struct ConsoleStack {
    let harness: WorkerHarness
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var keys: KeySpace { harness.store.keys }
    static let operatorName = "olga"

    /// Runs `body` with the console and (when `worker`) a worker running; stops them afterwards.
    static func with<Result: Sendable>(
        server: RedisServer, worker: Bool = true, liveLifetime: Duration = .seconds(60), operatorTokens: Bool = false,
        _ body: (ConsoleStack) async throws -> Result
    ) async throws -> Result {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        var settings = ConsoleSettings(
            redis: server.configuration, keys: harness.store.keys, listen: ListenAddress(host: "127.0.0.1", port: 0), operatorName: operatorName,
            resumerURL: "https://links.example", liveLifetime: liveLifetime)
        settings.operatorTokens = operatorTokens
        let console = try Console(settings: settings, logger: Logger(label: "test.console"))
        let portBox = Mutex<Int?>(nil)
        let application = console.application { bound in portBox.withLock { $0 = bound } }
        let serverTask = Task { try await application.run() }
        defer { serverTask.cancel() }
        var port: Int?
        for _ in 0..<500 where port == nil {
            try await Task.sleep(for: .milliseconds(10))
            port = portBox.withLock { $0 }
        }
        let stack = ConsoleStack(harness: harness, port: try #require(port))
        guard worker else { return try await body(stack) }
        return try await harness.withWorker(harness.settings(concurrency: 4)) { _ in try await body(stack) }
    }

    struct Answer {
        let status: Int
        let body: String
        let headers: [String: String]
    }

    /// A GET of `path`.
    func get(_ path: String) async throws -> Answer {
        try await request("GET", path)
    }

    /// One request to the console, redirects not followed (a 303 is seen as such).
    func request(_ method: String, _ path: String, form: [(String, String)]? = nil, headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: baseURL + path)))
        request.httpMethod = method
        if let form {
            request.httpBody = Data(form.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] { fields[String(describing: name).lowercased()] = String(describing: value) }
        return Answer(status: http?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self), headers: fields)
    }

    /// The CSRF token in a page's form.
    static func csrfToken(in page: String) -> String? {
        guard let range = page.range(of: #"name="csrf" value=""#) else { return nil }
        return String(page[range.upperBound...].prefix(64))
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Queues an identity job (a worker returns its arguments at once).
    func identityJob(_ arguments: JSONValue = [:], runAt: Int64? = nil, createdBy: String? = nil) throws -> JobID {
        let id = JobID.generate()
        _ = try harness.store.enqueue(
            EnqueueRequest(id: id, kind: .identity, arguments: arguments, runAt: runAt, createdBy: createdBy), on: harness.server.connect())
        return id
    }
}

/// Keeps redirects as answers.
final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
