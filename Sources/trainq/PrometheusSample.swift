import Foundation

/// One sample line of the Prometheus text format: `name{label="value",...} 12.5`. Enough of the
/// format for `trainq status` to summarize `/metrics`; comment lines are skipped.
struct PrometheusSample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double

    /// Every sample of `text`; lines that do not parse are left out (the summary is best effort).
    static func parseAll(_ text: String) -> [PrometheusSample] {
        text.split(separator: "\n").compactMap { parse(String($0)) }
    }

    static func parse(_ line: String) -> PrometheusSample? {
        let line = line.trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
        var labels: [String: String] = [:]
        let name: String
        let rest: Substring
        if let open = line.firstIndex(of: "{") {
            guard let close = line.lastIndex(of: "}"), close > open else { return nil }
            name = String(line[..<open])
            guard let parsed = parseLabels(line[line.index(after: open)..<close]) else { return nil }
            labels = parsed
            rest = line[line.index(after: close)...]
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = String(line[..<space])
            rest = line[space...]
        }
        // A timestamp may follow the value.
        guard let valueText = rest.split(separator: " ").first, let value = Double(valueText) ?? special(valueText) else { return nil }
        return PrometheusSample(name: name, labels: labels, value: value)
    }

    private static func special(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: nil
        }
    }

    /// `a="x",b="y\"z"`: values are quoted with `\\`, `\"` and `\n` escapes.
    private static func parseLabels(_ text: Substring) -> [String: String]? {
        var labels: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "=") else { return nil }
            let key = text[index..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            var cursor = text.index(after: equals)
            guard cursor < text.endIndex, text[cursor] == "\"" else { return nil }
            cursor = text.index(after: cursor)
            var value = ""
            var closed = false
            while cursor < text.endIndex {
                let character = text[cursor]
                cursor = text.index(after: cursor)
                if character == "\\", cursor < text.endIndex {
                    let escaped = text[cursor]
                    cursor = text.index(after: cursor)
                    value.append(escaped == "n" ? "\n" : escaped)
                } else if character == "\"" {
                    closed = true
                    break
                } else {
                    value.append(character)
                }
            }
            guard closed else { return nil }
            labels[key] = value
            index = cursor
        }
        return labels
    }
}
