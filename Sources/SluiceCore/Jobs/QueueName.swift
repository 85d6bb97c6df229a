/// Queue names: letters, digits, `_`, `-`, `.` — they become part of Redis keys.
public enum QueueName {
    /// Whether `name` may name a queue.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0))
            }
    }
}
