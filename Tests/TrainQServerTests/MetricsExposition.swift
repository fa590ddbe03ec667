import Foundation

/// A strict reader of the Prometheus text exposition format (0.0.4), for tests: it throws on any line
/// a Prometheus server would reject, checks that every sample belongs to a declared family, and that
/// histogram buckets are cumulative and end in `+Inf` equal to `_count`.
struct MetricsExposition {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Invalid: Error, CustomStringConvertible {
        var line: String
        var problem: String
        var description: String { "\(problem): \(line)" }
    }

    private(set) var samples: [Sample] = []
    private(set) var types: [String: String] = [:]

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("#") {
                try comment(line)
            } else {
                let sample = try Self.sample(line)
                guard family(of: sample.name) != nil else { throw Invalid(line: line, problem: "sample without a # TYPE") }
                samples.append(sample)
            }
        }
        try checkHistograms()
    }

    /// The value of the one sample with this name and exactly these labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The sum over every sample of `name` whose labels include `labels`.
    func sum(_ name: String, where labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    private mutating func comment(_ line: String) throws {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "#" else { return }
        switch parts[1] {
        case "TYPE":
            guard parts.count == 4, Self.isName(parts[2]),
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
            else { throw Invalid(line: line, problem: "malformed # TYPE") }
            guard types[parts[2]] == nil else { throw Invalid(line: line, problem: "family declared twice") }
            types[parts[2]] = parts[3]
        case "HELP":
            guard Self.isName(parts[2]) else { throw Invalid(line: line, problem: "malformed # HELP") }
        default:
            break
        }
    }

    private func family(of name: String) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return nil
    }

    private func checkHistograms() throws {
        for (name, type) in types where type == "histogram" {
            let buckets = samples.filter { $0.name == name + "_bucket" }
            let series = Dictionary(grouping: buckets) { $0.labels.filter { $0.key != "le" } }
            for (labels, rows) in series {
                let ordered = try rows.map { row -> (Double, Double) in
                    guard let le = row.labels["le"], let bound = le == "+Inf" ? .infinity : Double(le) else {
                        throw Invalid(line: "\(row)", problem: "bucket without a valid le")
                    }
                    return (bound, row.value)
                }.sorted { $0.0 < $1.0 }
                guard ordered.last?.0 == .infinity else { throw Invalid(line: "\(name) \(labels)", problem: "no +Inf bucket") }
                for (lower, upper) in zip(ordered, ordered.dropFirst()) where upper.1 < lower.1 {
                    throw Invalid(line: "\(name) \(labels)", problem: "buckets are not cumulative")
                }
                guard value(name + "_count", labels) == ordered.last?.1 else {
                    throw Invalid(line: "\(name) \(labels)", problem: "+Inf bucket differs from _count")
                }
                guard value(name + "_sum", labels) != nil else { throw Invalid(line: "\(name) \(labels)", problem: "no _sum") }
            }
        }
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    static func isName(_ text: some StringProtocol) -> Bool {
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        guard let first = text.unicodeScalars.first, isLetter(first) || first == "_" || first == ":" else { return false }
        return text.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == ":" }
    }

    static func sample(_ line: String) throws -> Sample {
        var labels: [String: String] = [:]
        var rest = Substring(line)
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard isName(name) else { throw Invalid(line: line, problem: "invalid metric name") }
        rest = rest[nameEnd...]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw Invalid(line: line, problem: "label without =") }
                let key = String(rest[..<equals])
                guard isName(key), !key.contains(":") else { throw Invalid(line: line, problem: "invalid label name '\(key)'") }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw Invalid(line: line, problem: "unquoted label value") }
                rest = rest.dropFirst()
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        guard let escaped = rest.first, ["\\", "\"", "n"].contains(escaped) else {
                            throw Invalid(line: line, problem: "invalid escape")
                        }
                        rest = rest.dropFirst()
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { throw Invalid(line: line, problem: "unterminated label value") }
                rest = rest.dropFirst()
                guard labels.updateValue(value, forKey: key) == nil else { throw Invalid(line: line, problem: "label twice") }
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard (1...2).contains(fields.count) else { throw Invalid(line: line, problem: "expected a value and an optional timestamp") }
        let text = fields[0]
        guard let value = Double(text) ?? ["+Inf": Double.infinity, "-Inf": -Double.infinity, "NaN": Double.nan][String(text)] else {
            throw Invalid(line: line, problem: "invalid value")
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw Invalid(line: line, problem: "invalid timestamp") }
        return Sample(name: name, labels: labels, value: value)
    }
}
