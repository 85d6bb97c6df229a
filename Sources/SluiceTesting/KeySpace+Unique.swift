import Foundation
public import SluiceStore

extension KeySpace {
    /// A key space no other test uses — `t-<name>-<8 random hex digits>` — so tests sharing one
    /// Redis never see each other's keys; `name` defaults to the calling function's.
    public static func unique(_ name: String = #function) -> KeySpace {
        let cleaned = name.filter { $0.isLetter || $0.isNumber }
        return KeySpace(prefix: "t-\(cleaned)-\(UUID().uuidString.prefix(8))")
    }
}
