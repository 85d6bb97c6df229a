/// Parses durations given on the command line in seconds, with an optional fraction: `30`, `0.5`.
public enum DurationParsing {
    /// The duration, or `nil` when the text is not a non-negative number of seconds.
    public static func seconds(_ text: String) -> Duration? {
        guard let value = Double(text), value >= 0, value.isFinite, value < 1e9 else { return nil }
        return .milliseconds(Int64((value * 1000).rounded()))
    }
}
