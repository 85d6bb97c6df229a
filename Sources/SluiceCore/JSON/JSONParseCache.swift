import Synchronization

/// The parsed values of long JSON texts read recently, by text: a flow's input and its steps'
/// results are read again at every step that may need them (a loop's thousand iterations each
/// read the flow's input), and parsing a 100 KB text costs a millisecond or more where finding
/// it here costs hashing it once.
///
/// Only texts from ``minimumLength`` UTF-8 bytes are kept (shorter ones parse faster than they
/// hash) and at most a quarter of ``byteBudget`` each, up to ``byteBudget`` bytes of text in all;
/// when a text would pass the budget, the cache is emptied first. A value is the same whoever asks for it — a text is its value — so sharing
/// one between flows or jobs shows nothing that the text did not.
public final class JSONParseCache: Sendable {
    /// The shortest text kept, in UTF-8 bytes.
    public static let minimumLength = 4096

    /// The bytes of text the cache keeps at most (its parsed values take several times that).
    public let byteBudget: Int

    private let state = Mutex<(values: [String: JSONValue], bytes: Int)>(([:], 0))

    public init(byteBudget: Int = 4 << 20) {
        self.byteBudget = byteBudget
    }

    /// The value of `text`, or `nil` when it is not JSON (never kept).
    public func value(parsing text: String) -> JSONValue? {
        let length = text.utf8.count
        guard length >= Self.minimumLength, length <= byteBudget / 4 else { return try? JSONValue(parsing: text) }
        if let known = state.withLock({ $0.values[text] }) { return known }
        guard let value = try? JSONValue(parsing: text) else { return nil }
        state.withLock { state in
            guard state.values[text] == nil else { return }
            if state.bytes + length > byteBudget { state = ([:], 0) }
            state.values[text] = value
            state.bytes += length
        }
        return value
    }

    /// How many texts are kept now.
    public var count: Int { state.withLock { $0.values.count } }
}
