import Foundation
public import Logging
import SluiceCore

/// One JSON object per line on stderr: `{"ts", "level", "label", "message", ...metadata}` — for log
/// shippers. Metadata values are written as strings (nested metadata as objects).
public struct JSONLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var members: [(String, JSONValue)] = [
            ("ts", .string(Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)))),
            ("level", .string(event.level.rawValue)), ("label", .string(label)), ("message", .string(event.message.description)),
            ("source", .string(event.source)),
        ]
        for key in merged.keys.sorted() {
            if let value = merged[key] { members.append((key, Self.json(value))) }
        }
        FileHandle.standardError.write(Data((JSONValue(members: members).jsonText + "\n").utf8))
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let values): JSONValue(members: values.keys.sorted().compactMap { key in values[key].map { (key, json($0)) } })
        }
    }
}
