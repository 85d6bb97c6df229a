/// Parses durations given on the command line in seconds, with an optional fraction: `30`, `0.5`.
public enum DurationParsing {
    /// The duration, or `nil` when the text is not a non-negative number of seconds.
    public static func seconds(_ text: String) -> Duration? {
        guard let value = Double(text), value >= 0, value.isFinite, value < 1e9 else { return nil }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// A duration with a unit, as `--expires 90d` takes it: `30s`, `15m`, `12h`, `90d`, or plain seconds.
    public static func withUnit(_ text: String) -> Duration? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let last = text.last, let unit = units[last] {
            guard let value = Double(text.dropLast()), value > 0, value.isFinite, value * unit < 1e10 else { return nil }
            return .milliseconds(Int64((value * unit * 1000).rounded()))
        }
        return seconds(text)
    }

    /// A rate as `--rate` takes it: `10/s`, `600/m`, `1000/h`, or a plain number per second.
    public static func rate(_ text: String) -> Double? {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let count = Double(parts.first ?? ""), count > 0, count.isFinite else { return nil }
        guard parts.count == 2 else { return count }
        switch parts[1] {
        case "s": return count
        case "m": return count / 60
        case "h": return count / 3600
        default: return nil
        }
    }
}
