import Foundation

/// Strict parsers for configuration values. Each failure names the key, so a typo like `10x` in
/// `submit.base_delay` stops the daemon with a message a person can act on.
enum ConfigurationValueParsing {
    /// `500ms`, `10s`, `5m`, `2h`, `1d`, or a plain number of seconds.
    /// The longest duration taken: a hundred years, far below what `Int64` milliseconds hold, so no value
    /// that parses can overflow the conversion (`1e16` once crashed the daemon from a query string).
    static let longestDuration: Double = 100 * 365 * 86_400

    static func duration(_ text: String, key: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        var seconds: Double?
        for (suffix, unit) in units where trimmed.hasSuffix(suffix) {
            if let value = Double(trimmed.dropLast(suffix.count)) { seconds = value * unit }
            break
        }
        if seconds == nil, let value = Double(trimmed) { seconds = value }
        guard let seconds, seconds >= 0, seconds.isFinite else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not a duration (use e.g. 500ms, 10s, 5m, 2h)")
        }
        guard seconds <= longestDuration else {
            throw ConfigurationError(key: key, problem: "'\(text)' is longer than a hundred years")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    static func integer(_ text: String, key: String, range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not a whole number")
        }
        guard range.contains(value) else {
            throw ConfigurationError(key: key, problem: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    static func positiveNumber(_ text: String, key: String) throws -> Double {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not a positive number")
        }
        return value
    }

    static func bool(_ text: String, key: String) throws -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigurationError(key: key, problem: "'\(text)' is not true or false")
        }
    }

    /// An octal file mode such as `0660` (YAML may hand it over as `660` or `0660`).
    static func fileMode(_ text: String, key: String) throws -> UInt16 {
        let digits = text.trimmingCharacters(in: .whitespaces)
        guard let mode = UInt16(digits.hasPrefix("0o") ? String(digits.dropFirst(2)) : digits, radix: 8), mode <= 0o777
        else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not an octal file mode like 0660")
        }
        return mode
    }

    /// A daemon's name among those sharing a database: 1–64 letters, digits, '.', '_' or '-', as a host
    /// name is, so it reads plainly in `list` and in the lease table.
    static func instanceName(_ text: String, key: String) throws -> String {
        let allowed = text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        guard (1...64).contains(text.utf8.count), allowed else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not 1–64 letters, digits, '.', '_' or '-'")
        }
        return text
    }

    static func logLevel(_ text: String, key: String) throws -> String {
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        let level = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard levels.contains(level) else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not one of \(levels.joined(separator: ", "))")
        }
        return level
    }

    static func url(_ text: String, key: String, schemes: Set<String>) throws -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme),
            url.host != nil
        else {
            throw ConfigurationError(
                key: key,
                problem: "'\(text)' is not a URL with scheme \(schemes.sorted().joined(separator: " or "))"
            )
        }
        return text
    }
}
