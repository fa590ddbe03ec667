import Foundation

/// The daemon's `/metrics` at a glance, for `trainq status`: a few lines a person reads in seconds.
struct MetricsSummary {
    let samples: [PrometheusSample]

    init(text: String) {
        samples = PrometheusSample.parseAll(text)
    }

    private func matching(_ name: String) -> [PrometheusSample] {
        samples.filter { $0.name == name }
    }

    private func total(_ name: String, where predicate: (PrometheusSample) -> Bool = { _ in true }) -> Double {
        matching(name).filter(predicate).reduce(0) { $0 + $1.value }
    }

    /// `name value` pairs of one label, largest first, as `a 3, b 1`.
    private func breakdown(_ name: String, by label: String) -> String {
        var sums: [String: Double] = [:]
        for sample in matching(name) { sums[sample.labels[label] ?? "?", default: 0] += sample.value }
        let shown = sums.filter { $0.value > 0 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        return shown.isEmpty ? "none" : shown.map { "\($0.key) \(Self.count($0.value))" }.joined(separator: ", ")
    }

    var lines: [String] {
        var lines: [String] = []
        lines.append("tracked versions:     \(Self.count(total("trainq_tracked_versions")))")
        lines.append("oldest due waits:     \(Self.seconds(total("trainq_oldest_due_submission_age_seconds")))")
        lines.append("attempts:             \(breakdown("trainq_submit_attempts_total", by: "outcome"))")
        lines.append("reconcile results:    \(breakdown("trainq_reconcile_results_total", by: "result"))")
        var calls: [String] = []
        let operations = Set(matching("trainq_modelarts_calls_total").compactMap { $0.labels["operation"] }).sorted()
        for operation in operations {
            let byStatus = breakdown("trainq_modelarts_calls_total", by: "status", operation: operation)
            let count = total("trainq_modelarts_call_duration_seconds_count") { $0.labels["operation"] == operation }
            let sum = total("trainq_modelarts_call_duration_seconds_sum") { $0.labels["operation"] == operation }
            let mean = count > 0 ? " (mean \(Self.milliseconds(sum / count)))" : ""
            calls.append("  \(operation): \(byStatus)\(mean)")
        }
        lines.append("ModelArts calls:      \(calls.isEmpty ? "none yet" : "by HTTP status")")
        lines += calls
        let waited = total("trainq_modelarts_limiter_waits_total")
        let waitSum = total("trainq_modelarts_limiter_wait_seconds_sum")
        lines.append("rate-limiter waits:   \(Self.count(waited)) calls, \(Self.seconds(waitSum)) in all")
        return lines
    }

    /// `2× HTTP 200, 1× no answer` for one operation.
    private func breakdown(_ name: String, by label: String, operation: String) -> String {
        var sums: [String: Double] = [:]
        for sample in matching(name) where sample.labels["operation"] == operation {
            sums[sample.labels[label] ?? "?", default: 0] += sample.value
        }
        return sums.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            .map { "\(Self.count($0.value))× \($0.key == "none" ? "no answer" : "HTTP \($0.key)")" }
            .joined(separator: ", ")
    }

    static func count(_ value: Double) -> String { String(Int(value.rounded())) }
    static func seconds(_ value: Double) -> String { String(format: "%.1fs", value) }
    static func milliseconds(_ value: Double) -> String { String(format: "%.0fms", value * 1000) }
}
