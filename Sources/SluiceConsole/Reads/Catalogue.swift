import SluiceCore
public import SluiceFlows
public import SluiceRedis
public import SluiceStore

/// Scripts and flows as the console lists and shows them. Read-only.
public enum Catalogue {
    /// A script with its current source and its versions.
    public struct ScriptPage: Sendable {
        public var script: StoredScript
        public var source: String
        public var versions: [(hash: String, pushedAt: Int64)]
    }

    /// A flow with its current document and definition.
    public struct FlowPage: Sendable {
        public var flow: StoredFlow
        public var document: String
        public var definition: FlowDefinition?
        public var versions: [String]
    }

    public static func script(_ path: String, keys: KeySpace, on connection: RedisConnection) throws(RedisError) -> ScriptPage? {
        let store = ScriptStore(keys: keys)
        guard let script = try store.script(at: path, on: connection) else { return nil }
        return ScriptPage(
            script: script, source: try store.content(hash: script.hash, on: connection) ?? "", versions: try store.versions(of: path, on: connection)
        )
    }

    public static func flow(_ path: String, keys: KeySpace, on connection: RedisConnection) throws(RedisError) -> FlowPage? {
        let store = FlowStore(keys: keys)
        guard let flow = try store.flow(at: path, on: connection) else { return nil }
        let document = try store.document(hash: flow.hash, on: connection) ?? ""
        let versions = (try connection.send(["ZREVRANGE", .string(keys.flowVersions(path)), "0", "49"]).array ?? []).compactMap(\.string)
        return FlowPage(flow: flow, document: document, definition: try? FlowParser().parse(document).definition, versions: versions)
    }
}
