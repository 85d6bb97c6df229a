import Foundation

/// Where and how to reach Redis: parsed from `redis://[user:pass@]host:port/db` or `unix:///path/to.sock?db=N`.
///
/// Its `description` never shows the password, so it is safe to log.
public struct RedisConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// The transport to the server.
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public var endpoint: Endpoint
    public var username: String?
    public var password: String?
    public var database: Int
    /// How long connecting may take.
    public var connectTimeout: Duration
    /// How long one command may wait for its reply (blocking commands add their own block time).
    public var commandTimeout: Duration

    public init(
        endpoint: Endpoint,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(10)
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Parses a Redis URL. Percent-escapes in user and password are decoded.
    public init(url text: String) throws(RedisError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw RedisError.configuration("'\(RedisConfiguration.redacted(text))' is not a URL (expected redis://host:port/db)")
        }
        var database = 0
        switch scheme {
        case "redis":
            let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
            let port = components.port ?? 6379
            guard (1...65535).contains(port) else { throw RedisError.configuration("port \(port) is out of range") }
            let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else {
                    throw RedisError.configuration("database '\(path)' is not a number")
                }
                database = number
            }
            self.init(endpoint: .tcp(host: host, port: port), database: database)
        case "unix":
            guard !components.path.isEmpty else { throw RedisError.configuration("unix URL has no socket path") }
            if let item = components.queryItems?.first(where: { $0.name == "db" }), let value = item.value {
                guard let number = Int(value), number >= 0 else {
                    throw RedisError.configuration("database '\(value)' is not a number")
                }
                database = number
            }
            self.init(endpoint: .unix(path: components.path), database: database)
        default:
            throw RedisError.configuration("unsupported scheme '\(scheme)' (use redis:// or unix://)")
        }
        if let user = components.user, !user.isEmpty {
            username = user.removingPercentEncoding ?? user
        }
        if let password = components.password {
            self.password = password.removingPercentEncoding ?? password
        }
        if password == nil, username != nil {
            // redis://secret@host is the common spelling of a password without a user.
            password = username
            username = nil
        }
    }

    public var description: String {
        let auth = password == nil ? "" : (username.map { "\($0):***@" } ?? "***@")
        switch endpoint {
        case .tcp(let host, let port): return "redis://\(auth)\(host):\(port)/\(database)"
        case .unix(let path): return "unix://\(auth)\(path)?db=\(database)"
        }
    }

    private static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let schemeEnd = text.range(of: "://") else { return text }
        return String(text[..<schemeEnd.upperBound]) + "***" + String(text[at...])
    }
}
