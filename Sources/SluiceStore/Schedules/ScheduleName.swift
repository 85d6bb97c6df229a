/// Schedule names, Windmill style: `nightly-report` or `f/ops/nightly` — letters, digits, `_`,
/// `-` and `.` in segments separated by `/`. A name becomes part of Redis keys, so `:` and blanks
/// are refused.
public enum ScheduleName {
    /// Whether `name` may name a schedule.
    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 200 else { return false }
        for segment in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty, segment != ".", segment != ".." else { return false }
            let allowed = segment.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0))
            }
            guard allowed else { return false }
        }
        return true
    }
}
