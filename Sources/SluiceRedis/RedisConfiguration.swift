import Foundation

/// Where and how to reach Redis: parsed from `redis://[user:pass@]host:port/db`,
/// `unix:///path/to.sock?db=N` or `redis+sentinel://[user:pass@]host1:port,host2:port/MASTER[?db=N]`.
///
/// Its `description` never shows a password, so it is safe to log.
public struct RedisConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// The transport to the server.
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
        /// The master that these Redis Sentinels name, found anew on every (re)connection.
        case sentinel(SentinelGroup)
        /// A Redis Cluster, reached through any of these nodes: the connection goes to the master
        /// of ``RedisConfiguration/slotKey``'s slot and follows `MOVED` and `ASK` redirections.
        case cluster(seeds: [HostAndPort])
    }

    /// The key whose slot a cluster connection serves (any key with the prefix's hash tag, e.g.
    /// `{sluice}`): set by the executables from `--prefix`; needed only for `redis+cluster://`.
    public var slotKey: String?

    /// Redis Sentinels watching one master: asked in turn for its address.
    public struct SentinelGroup: Sendable, Equatable {
        public var sentinels: [HostAndPort]
        public var masterName: String
        /// The sentinels' own password (`?sentinel_password=`), when they have one.
        public var sentinelPassword: String?

        public init(sentinels: [HostAndPort], masterName: String, sentinelPassword: String? = nil) {
            self.sentinels = sentinels
            self.masterName = masterName
            self.sentinelPassword = sentinelPassword
        }
    }

    /// A TCP address.
    public struct HostAndPort: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public var endpoint: Endpoint
    public var username: String?
    public var password: String?
    public var database: Int
    /// How long connecting may take.
    public var connectTimeout: Duration
    /// How long one command may wait for its reply (blocking commands add their own block time).
    public var commandTimeout: Duration
    /// Replicas that must hold a decision or an accepted run before it is acknowledged
    /// (``RedisConnection/awaitReplicas()``); `nil`: answer at once (a single Redis).
    public var acknowledgement: ReplicaAcknowledgement?

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
        if text.lowercased().hasPrefix("redis+sentinel://") {
            try self.init(sentinelURL: text)
            return
        }
        if text.lowercased().hasPrefix("redis+cluster://") {
            try self.init(clusterURL: text)
            return
        }
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
            throw RedisError.configuration("unsupported scheme '\(scheme)' (use redis://, unix://, redis+sentinel:// or redis+cluster://)")
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

    /// `redis+cluster://[user:pass@]host1:port,host2:port`: seed nodes of a cluster (a host
    /// without a port is on 6379). A cluster has only database 0.
    private init(clusterURL text: String) throws(RedisError) {
        var rest = Substring(text.dropFirst("redis+cluster://".count))
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            let tail = rest[end...].trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard tail.isEmpty || tail == "0" else {
                throw RedisError.configuration("a cluster URL takes no database or options (a cluster has only database 0)")
            }
            rest = rest[..<end]
        }
        let (user, secret, authority) = Self.splitCredentials(rest)
        let seeds = try Self.hostList(authority, defaultPort: 6379, what: "cluster node")
        self.init(
            endpoint: .cluster(seeds: seeds), username: user.map { $0.removingPercentEncoding ?? $0 }.flatMap { $0.isEmpty ? nil : $0 },
            password: secret.map { $0.removingPercentEncoding ?? $0 })
    }

    /// `user:pass@rest` → (user, pass, rest); `pass@rest` → (nil, pass, rest).
    private static func splitCredentials(_ text: Substring) -> (String?, String?, Substring) {
        guard let at = text.lastIndex(of: "@") else { return (nil, nil, text) }
        let credentials = text[..<at]
        let rest = text[text.index(after: at)...]
        if let colon = credentials.firstIndex(of: ":") {
            return (String(credentials[..<colon]), String(credentials[credentials.index(after: colon)...]), rest)
        }
        return (nil, String(credentials), rest)
    }

    /// `h1:p1,h2,[::1]:p3` → addresses, `defaultPort` where none is given.
    private static func hostList(_ text: Substring, defaultPort: Int, what: String) throws(RedisError) -> [HostAndPort] {
        var list: [HostAndPort] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = item.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { throw RedisError.configuration("an empty \(what) address in the list") }
            var host = entry
            var port = defaultPort
            if let colon = entry.lastIndex(of: ":"), !entry.hasSuffix("]") {
                host = String(entry[..<colon])
                guard let number = Int(entry[entry.index(after: colon)...]), (1...65535).contains(number) else {
                    throw RedisError.configuration("\(what) '\(entry)' has no valid port")
                }
                port = number
            }
            host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            guard !host.isEmpty else { throw RedisError.configuration("\(what) '\(entry)' has no host") }
            list.append(HostAndPort(host: host, port: port))
        }
        return list
    }

    /// `redis+sentinel://[user:pass@]host1:port,host2:port/MASTER[?db=N&sentinel_password=P]`: a
    /// host without a port is on 26379, Sentinel's default.
    private init(sentinelURL text: String) throws(RedisError) {
        var rest = Substring(text.dropFirst("redis+sentinel://".count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw RedisError.configuration("a sentinel URL names its master: redis+sentinel://host:26379,host2:26379/MASTER_NAME")
        }
        let masterName = String(rest[rest.index(after: slash)...]).removingPercentEncoding ?? ""
        guard !masterName.isEmpty, !masterName.contains("/") else {
            throw RedisError.configuration("a sentinel URL names its master: redis+sentinel://host:26379,host2:26379/MASTER_NAME")
        }
        let (user, secret, authority) = Self.splitCredentials(rest[..<slash])
        let sentinels = try Self.hostList(authority, defaultPort: 26379, what: "sentinel")
        var database = 0
        var sentinelPassword: String?
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            switch name {
            case "db":
                guard let number = Int(value), number >= 0 else { throw RedisError.configuration("database '\(value)' is not a number") }
                database = number
            case "sentinel_password":
                sentinelPassword = value
            default:
                throw RedisError.configuration("unknown sentinel URL option '\(name)' (db, sentinel_password)")
            }
        }
        self.init(
            endpoint: .sentinel(SentinelGroup(sentinels: sentinels, masterName: masterName, sentinelPassword: sentinelPassword)),
            username: user.map { $0.removingPercentEncoding ?? $0 }.flatMap { $0.isEmpty ? nil : $0 },
            password: secret.map { $0.removingPercentEncoding ?? $0 }, database: database)
    }

    public var description: String {
        let auth = password == nil ? "" : (username.map { "\($0):***@" } ?? "***@")
        switch endpoint {
        case .tcp(let host, let port): return "redis://\(auth)\(host):\(port)/\(database)"
        case .unix(let path): return "unix://\(auth)\(path)?db=\(database)"
        case .sentinel(let group):
            return "redis+sentinel://\(auth)\(group.sentinels.map(\.description).joined(separator: ","))/\(group.masterName)?db=\(database)"
        case .cluster(let seeds):
            return "redis+cluster://\(auth)\(seeds.map(\.description).joined(separator: ","))"
        }
    }

    private static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let schemeEnd = text.range(of: "://") else { return text }
        return String(text[..<schemeEnd.upperBound]) + "***" + String(text[at...])
    }
}
