import CHiredis
import Glibc

/// One blocking connection to Redis through hiredis. The only type in Sluice that touches C.
///
/// A connection is used by one thread at a time; its calls block until Redis answers or the
/// command timeout passes, so they belong on a dedicated thread (see ``RedisClient``), never on
/// the cooperative pool or an event loop. Every reply is copied into a ``RedisReply`` and freed
/// before the call returns: no pointer leaves this type. A broken connection is dropped and made
/// again on the next call.
public final class RedisConnection {
    /// Where this connection goes.
    public let configuration: RedisConfiguration
    private var context: UnsafeMutablePointer<redisContext>?

    /// Connects, authenticates and selects the database.
    public init(configuration: RedisConfiguration) throws(RedisError) {
        self.configuration = configuration
        try connect()
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// Whether the connection is currently open (it may still have been closed by the server).
    public var isConnected: Bool { context != nil }

    /// Drops the current connection, if any.
    public func close() {
        if let context { redisFree(context) }
        context = nil
    }

    /// With a sentinel endpoint: the master's address this connection reached last.
    public private(set) var masterAddress: RedisConfiguration.HostAndPort?
    /// The sentinel that answered last, asked first next time.
    private var preferredSentinel = 0

    private func connect() throws(RedisError) {
        close()
        switch configuration.endpoint {
        case .tcp(let host, let port):
            context = try Self.open(.tcp(host: host, port: port), timeout: configuration.connectTimeout)
            try prepare()
        case .unix(let path):
            context = try Self.open(.unix(path: path), timeout: configuration.connectTimeout)
            try prepare()
        case .sentinel(let group):
            try connectThroughSentinels(group)
        case .cluster(let seeds):
            try connectToSlotOwner(seeds: seeds)
        }
    }

    /// Opens a hiredis context to an address (no authentication yet).
    private static func open(_ address: RedisConfiguration.Endpoint, timeout: Duration) throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        let connectTimeout = Self.timeval(timeout)
        let made: UnsafeMutablePointer<redisContext>?
        switch address {
        case .tcp(let host, let port): made = redisConnectWithTimeout(host, Int32(port), connectTimeout)
        case .unix(let path): made = redisConnectUnixWithTimeout(path, connectTimeout)
        case .sentinel, .cluster: made = nil
        }
        guard let made else { throw RedisError.connection("cannot allocate a hiredis context") }
        if made.pointee.err != 0 {
            let message = Self.errorString(made)
            redisFree(made)
            throw RedisError.connection("\(address.label): \(message)")
        }
        return made
    }

    /// Sets keep-alive and the command timeout on the open context, authenticates and selects the database.
    private func prepare() throws(RedisError) {
        guard let context else { throw RedisError.connection("not connected") }
        if !configuration.endpoint.isUnix { _ = redisEnableKeepAlive(context) }
        _ = redisSetTimeout(context, Self.timeval(configuration.commandTimeout))
        do {
            if let password = configuration.password {
                var auth: [RedisArgument] = ["AUTH"]
                if let username = configuration.username { auth.append(.string(username)) }
                auth.append(.string(password))
                _ = try sendOnOpenConnection(auth).throwingServerError()
            }
            if configuration.database != 0 {
                _ = try sendOnOpenConnection(["SELECT", .int(configuration.database)]).throwingServerError()
            }
        } catch {
            close()
            throw error
        }
    }

    /// Asks the sentinels in turn for the master's address, connects to it, and checks with `ROLE`
    /// that it really is the master (a sentinel may still name a demoted one during a failover).
    private func connectThroughSentinels(_ group: RedisConfiguration.SentinelGroup) throws(RedisError) {
        var failures: [String] = []
        let count = group.sentinels.count
        for offset in 0..<count {
            let index = (preferredSentinel + offset) % count
            let sentinel = group.sentinels[index]
            guard let address = askSentinel(sentinel, group: group, failures: &failures) else { continue }
            do {
                context = try Self.open(.tcp(host: address.host, port: address.port), timeout: configuration.connectTimeout)
                try prepare()
                let role = try sendOnOpenConnection(["ROLE"]).throwingServerError()
                guard role.array?.first?.string == "master" else {
                    close()
                    failures.append("\(sentinel) names \(address), which is not a master (yet)")
                    continue
                }
            } catch {
                close()
                failures.append("master \(address) from \(sentinel): \(error)")
                continue
            }
            preferredSentinel = index
            masterAddress = address
            return
        }
        throw RedisError.connection("no master '\(group.masterName)' reachable through the sentinels: " + failures.joined(separator: "; "))
    }

    /// One sentinel's answer to `SENTINEL get-master-addr-by-name`, or nil (the reason added to `failures`).
    private func askSentinel(
        _ sentinel: RedisConfiguration.HostAndPort, group: RedisConfiguration.SentinelGroup, failures: inout [String]
    ) -> RedisConfiguration.HostAndPort? {
        let asked: UnsafeMutablePointer<redisContext>
        do {
            asked = try Self.open(.tcp(host: sentinel.host, port: sentinel.port), timeout: configuration.connectTimeout)
        } catch {
            failures.append("\(error)")
            return nil
        }
        defer { redisFree(asked) }
        _ = redisSetTimeout(asked, Self.timeval(configuration.connectTimeout))
        if let password = group.sentinelPassword {
            guard case .status? = Self.command(asked, ["AUTH", .string(password)]) else {
                failures.append("\(sentinel): authentication failed")
                return nil
            }
        }
        let reply = Self.command(asked, ["SENTINEL", "get-master-addr-by-name", .string(group.masterName)])
        guard case .array(let parts)? = reply, parts.count == 2, let host = parts[0].string, let port = parts[1].string.flatMap({ Int($0) })
        else {
            failures.append("\(sentinel) does not know a master named '\(group.masterName)'")
            return nil
        }
        return RedisConfiguration.HostAndPort(host: host, port: port)
    }

    /// Sends one command and returns its reply; an error reply is thrown as ``RedisError/server(_:)``.
    @discardableResult
    public func send(_ arguments: [RedisArgument]) throws(RedisError) -> RedisReply {
        if context == nil { try connect() }
        return try followingRedirects { () throws(RedisError) in try sendOnOpenConnection(arguments) }.throwingServerError()
    }

    /// Sends one command given as text arguments.
    @discardableResult
    public func send(_ arguments: RedisArgument...) throws(RedisError) -> RedisReply {
        try send(arguments)
    }

    /// Sends several commands in one write and reads their replies in order (one round trip).
    /// Error replies come back in place as ``RedisReply/error(_:)``; only connection failures throw.
    public func pipeline(_ commands: [[RedisArgument]]) throws(RedisError) -> [RedisReply] {
        if commands.isEmpty { return [] }
        if context == nil { try connect() }
        let replies = try pipelineOnOpenConnection(commands)
        // Every key of a pipeline shares one slot: a MOVED reply means none of it ran on that node.
        if let redirect = replies.lazy.compactMap(Redirect.init).first, case .moved(let address) = redirect {
            try move(to: address)
            return try pipelineOnOpenConnection(commands)
        }
        return replies
    }

    /// A pipeline of reads whose every reply must be data: an error reply for any of them (Redis
    /// still `LOADING` its dataset after a restart, say) throws it, so a read never mistakes a
    /// refusal for a missing key.
    public func pipelineReads(_ commands: [[RedisArgument]]) throws(RedisError) -> [RedisReply] {
        let replies = try pipeline(commands)
        for reply in replies {
            if case .error(let message) = reply { throw RedisError.server(message) }
        }
        return replies
    }

    private func pipelineOnOpenConnection(_ commands: [[RedisArgument]]) throws(RedisError) -> [RedisReply] {
        guard let context else { throw RedisError.connection("not connected") }
        for command in commands {
            let status = Self.withArgv(command) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            if status != REDIS_OK { throw brokenConnection() }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(context, &raw) != REDIS_OK { throw brokenConnection() }
            guard let raw else { throw brokenConnection() }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            defer { freeReplyObject(raw) }
            replies.append(Self.copy(reply))
        }
        for reply in replies { try checkStillMaster(reply) }
        return replies
    }

    /// Waits until the replicas ``RedisConfiguration/acknowledgement`` asks for hold every write
    /// the master had made before this call (returns at once without an acknowledgement set):
    /// `INCR counter` then `WAIT N timeout`, one round trip. The increment makes the wait cover
    /// what came before it whoever wrote it — a retry that finds its approval already counted by
    /// an earlier request waits for that request's write too — since replicas apply the master's
    /// writes in order. After a write of the caller's on this connection (`followingWrite`), it is
    /// sent only on the connection as it is: when it broke (or its master changed) since, that
    /// write's fate is unknown and this throws ``RedisError/notReplicated(acknowledged:required:)``
    /// rather than ask a new one. Without (a worker about to act on what it read), a broken
    /// connection is made again: the wait then covers whatever the current master holds.
    public func awaitReplicas(counter: String, followingWrite: Bool = true) throws(RedisError) {
        guard let acknowledgement = configuration.acknowledgement else { return }
        if context == nil {
            guard !followingWrite else { throw RedisError.notReplicated(acknowledged: 0, required: acknowledgement.replicas) }
            try connect()
        }
        let replies = try pipelineOnOpenConnection([
            ["INCR", .string(counter)], ["WAIT", .int(acknowledgement.replicas), .int(acknowledgement.timeoutMilliseconds)],
        ])
        for reply in replies { _ = try reply.throwingServerError() }
        guard case .integer(let acknowledged) = replies[1] else { throw RedisError.unexpectedReply("WAIT answered \(replies[1])") }
        if acknowledged < acknowledgement.replicas {
            throw RedisError.notReplicated(acknowledged: Int(acknowledged), required: acknowledgement.replicas)
        }
    }

    /// Runs a Lua script with `EVALSHA`, loading it first if Redis does not know it.
    /// Error replies (including the script's own `error_reply`) are thrown as ``RedisError/server(_:)``.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument]) throws(RedisError) -> RedisReply {
        var command: [RedisArgument] = ["EVALSHA", .string(script.sha1), .int(keys.count)]
        command.reserveCapacity(3 + keys.count + arguments.count)
        command.append(contentsOf: keys)
        command.append(contentsOf: arguments)
        if context == nil { try connect() }
        let reply = try followingRedirects { () throws(RedisError) in
            var reply = try sendOnOpenConnection(command)
            // After a Redis restart, a failover or a redirection the server may not know the script yet.
            if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
                _ = try sendOnOpenConnection(["SCRIPT", "LOAD", .string(script.source)]).throwingServerError()
                reply = try sendOnOpenConnection(command)
            }
            return reply
        }
        if case .error(let message) = reply {
            throw RedisError.server("\(script.name): \(message)")
        }
        return reply
    }

    private func sendOnOpenConnection(_ arguments: [RedisArgument]) throws(RedisError) -> RedisReply {
        guard let context else { throw RedisError.connection("not connected") }
        guard let reply = Self.command(context, arguments) else { throw brokenConnection() }
        try checkStillMaster(reply)
        return reply
    }

    /// A cluster's redirection of a command to another node.
    enum Redirect {
        /// The slot lives elsewhere now: talk to that node from now on.
        case moved(RedisConfiguration.HostAndPort)
        /// The slot is migrating: this one command goes to that node, after `ASKING`.
        case ask(RedisConfiguration.HostAndPort)

        init?(_ reply: RedisReply) {
            guard case .error(let message) = reply else { return nil }
            let parts = message.split(separator: " ")
            guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK", let colon = parts[2].lastIndex(of: ":"),
                let port = Int(parts[2][parts[2].index(after: colon)...])
            else { return nil }
            let address = RedisConfiguration.HostAndPort(host: String(parts[2][..<colon]), port: port)
            self = parts[0] == "MOVED" ? .moved(address) : .ask(address)
        }
    }

    /// Runs `attempt`; when a cluster redirects it, follows the redirection and runs it once more there.
    private func followingRedirects(_ attempt: () throws(RedisError) -> RedisReply) throws(RedisError) -> RedisReply {
        let reply = try attempt()
        switch Redirect(reply) {
        case .none: return reply
        case .moved(let address)?:
            try move(to: address)
            return try attempt()
        case .ask(let address)?:
            let home = context
            context = nil
            defer {
                close()
                context = home
            }
            context = try Self.open(.tcp(host: address.host, port: address.port), timeout: configuration.connectTimeout)
            try prepare()
            _ = try sendOnOpenConnection(["ASKING"]).throwingServerError()
            return try attempt()
        }
    }

    /// Moves this connection to the node a `MOVED` named.
    private func move(to address: RedisConfiguration.HostAndPort) throws(RedisError) {
        close()
        context = try Self.open(.tcp(host: address.host, port: address.port), timeout: configuration.connectTimeout)
        try prepare()
        masterAddress = address
    }

    /// Asks the seed nodes in turn which master serves ``RedisConfiguration/slotKey``'s slot
    /// (`CLUSTER SLOTS`) and connects to it.
    private func connectToSlotOwner(seeds: [RedisConfiguration.HostAndPort]) throws(RedisError) {
        guard let slotKey = configuration.slotKey else {
            throw RedisError.configuration("a redis+cluster:// connection needs the key prefix whose slot it serves")
        }
        let slot = ClusterSlot.of(slotKey)
        var failures: [String] = []
        for seed in seeds {
            do {
                context = try Self.open(.tcp(host: seed.host, port: seed.port), timeout: configuration.connectTimeout)
                try prepare()
                let slots = try sendOnOpenConnection(["CLUSTER", "SLOTS"]).throwingServerError()
                guard let owner = Self.master(of: slot, in: slots, seed: seed) else {
                    close()
                    failures.append("\(seed): no master serves slot \(slot)")
                    continue
                }
                if owner != seed { try move(to: owner) }
                masterAddress = owner
                return
            } catch {
                close()
                failures.append("\(error)")
            }
        }
        throw RedisError.connection("no cluster node serves slot \(slot) of '\(slotKey)': " + failures.joined(separator: "; "))
    }

    /// The master of `slot` in a `CLUSTER SLOTS` reply (an empty host means the node that answered, `seed`).
    public static func master(of slot: Int, in reply: RedisReply, seed: RedisConfiguration.HostAndPort) -> RedisConfiguration.HostAndPort? {
        for range in reply.array ?? [] {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].integer, let end = parts[1].integer,
                (start...end).contains(Int64(slot)), let node = parts[2].array, node.count >= 2, let port = node[1].integer
            else { continue }
            let host = node[0].string.flatMap { $0.isEmpty || $0 == "?" ? nil : $0 } ?? seed.host
            return RedisConfiguration.HostAndPort(host: host, port: Int(port))
        }
        return nil
    }

    /// A `READONLY` answer means the server was demoted to a replica (a failover): the connection is
    /// dropped so the next call finds the master again, and the caller sees a connection error it retries.
    private func checkStillMaster(_ reply: RedisReply) throws(RedisError) {
        if case .error(let message) = reply, message.hasPrefix("CLUSTERDOWN") || message.hasPrefix("TRYAGAIN") {
            close()
            throw RedisError.connection("the cluster cannot serve the slot now (\(message)); the slot's owner is looked up again")
        }
        if case .error(let message) = reply, message.hasPrefix("READONLY") {
            close()
            throw RedisError.connection("the server is a replica now (\(message)); the master is looked up again")
        }
    }

    /// Sends one command on a context; nil when the context broke.
    private static func command(_ context: UnsafeMutablePointer<redisContext>, _ arguments: [RedisArgument]) -> RedisReply? {
        let raw = Self.withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return Self.copy(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Records why the context broke, frees it, and returns the error to throw.
    private func brokenConnection() -> RedisError {
        let message = context.map(Self.errorString) ?? "not connected"
        close()
        return RedisError.connection(message)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "connection lost" : text
        }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    /// Lays the arguments out in one buffer and calls `body` with hiredis's argc/argv/argvlen.
    private static func withArgv<Result>(
        _ arguments: [RedisArgument],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) -> Result {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(arguments.reduce(0) { $0 + $1.byteCount } + 1)
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            lengths.append(argument.byteCount)
            argument.append(to: &buffer)
        }
        buffer.append(0)
        return buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                var pointers: [UnsafePointer<CChar>?] = []
                pointers.reserveCapacity(arguments.count)
                var offset = 0
                for length in lengths {
                    pointers.append(chars.baseAddress.map { $0 + offset })
                    offset += length
                }
                return pointers.withUnsafeMutableBufferPointer { argv in
                    lengths.withUnsafeBufferPointer { lengthPointer in
                        // Both buffers are non-empty whenever arguments is; an empty command never reaches here.
                        guard let argvBase = argv.baseAddress, let lengthBase = lengthPointer.baseAddress else {
                            var none: UnsafePointer<CChar>? = nil
                            var zero = 0
                            return body(0, &none, &zero)
                        }
                        return body(Int32(arguments.count), argvBase, lengthBase)
                    }
                }
            }
        }
    }

    /// Copies a hiredis reply tree into Swift values. The caller frees the reply.
    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(value.str, value.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(value.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                if let element = value.element?[index] {
                    elements.append(copy(element))
                } else {
                    elements.append(.null)
                }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}

extension RedisConfiguration.Endpoint {
    /// Whether this is a unix socket.
    public var isUnix: Bool {
        if case .unix = self { return true }
        return false
    }

    /// The address for messages (no credentials).
    public var label: String {
        switch self {
        case .tcp(let host, let port): RedisConfiguration.HostAndPort(host: host, port: port).description
        case .unix(let path): path
        case .sentinel(let group): "sentinels of '\(group.masterName)'"
        case .cluster(let seeds): "cluster nodes " + seeds.map(\.description).joined(separator: ",")
        }
    }
}
