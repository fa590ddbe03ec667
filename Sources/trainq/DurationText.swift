/// Durations as people write them on the command line (`300ms`, `2s`, `5m`, `1h30m`, `0`) and as trainq
/// prints them (`5m0s`, `2.1s`, `300ms`).
enum DurationText {
    struct Invalid: Error, CustomStringConvertible {
        var text: String
        var description: String { "'\(text)' is not a duration; write it like 300ms, 2s, 5m or 1h30m" }
    }

    static func parse(_ text: String) throws(Invalid) -> Duration {
        if let seconds = Double(text) { return try milliseconds(seconds * 1000, text) }
        var total = Duration.zero
        var rest = Substring(text)
        guard !rest.isEmpty else { throw Invalid(text: text) }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let value = Double(digits) else { throw Invalid(text: text) }
            let scale: Double
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            default: throw Invalid(text: text)
            }
            total += try milliseconds(value * scale, text)
        }
        return total
    }

    /// Refuses what no one means (negative, not finite, beyond a few years) instead of trapping on it.
    private static func milliseconds(_ value: Double, _ text: String) throws(Invalid) -> Duration {
        guard value.isFinite, (0...1e12).contains(value) else { throw Invalid(text: text) }
        return .milliseconds(Int64(value.rounded()))
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds < 60_000 {
            let tenths = (milliseconds + 50) / 100
            return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
        }
        let seconds = milliseconds / 1000
        let hours = seconds / 3600
        let minutes = seconds % 3600 / 60
        return (hours > 0 ? "\(hours)h" : "") + "\(minutes)m\(seconds % 60)s"
    }
}
