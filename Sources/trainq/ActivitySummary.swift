import Foundation
import TrainQAPI

/// The `activity` of `/v1/health` at a glance, for `trainq status`: a few lines a person reads in seconds.
struct ActivitySummary {
    let activity: HealthActivity
    let oldestDueSeconds: Double?

    var lines: [String] {
        var lines: [String] = []
        if let oldestDueSeconds { lines.append("oldest due waits:     \(Self.seconds(oldestDueSeconds))") }
        lines.append("attempts:             \(Self.breakdown(activity.attempts))")
        lines.append("reconcile results:    \(Self.breakdown(activity.reconcileResults))")
        let calls = activity.modelArtsCalls.filter { $0.count > 0 }
        lines.append("ModelArts calls:      \(calls.isEmpty ? "none yet" : "by HTTP status")")
        for call in calls {
            let byStatus = call.statuses.filter { $0.value > 0 }.sorted { $0.key < $1.key }
                .map { "\($0.value)× \($0.key == "none" ? "no answer" : "HTTP \($0.key)")" }
                .joined(separator: ", ")
            lines.append("  \(call.operation): \(byStatus) (mean \(Self.milliseconds(call.durationSeconds / Double(call.count))))")
        }
        lines.append("rate-limiter waits:   \(activity.limiterWaits) calls, \(Self.seconds(activity.limiterWaitSeconds)) in all")
        return lines
    }

    /// `a 3, b 1`: largest first, then by name.
    static func breakdown(_ counts: [String: Int]) -> String {
        let shown = counts.filter { $0.value > 0 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        return shown.isEmpty ? "none" : shown.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    static func seconds(_ value: Double) -> String { String(format: "%.1fs", value) }
    static func milliseconds(_ value: Double) -> String { String(format: "%.0fms", value * 1000) }
}
