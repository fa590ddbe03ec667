import Foundation
import NIOConcurrencyHelpers
import TrainQAPI

/// The counts `GET /v1/health` reports as `activity`, kept next to the Prometheus registry (whose
/// counters cannot be read back) by the same calls that feed it.
final class ActivityCounts: Sendable {
    private struct Counts {
        var attempts: [String: Int] = [:]
        var reconcileResults: [String: Int] = [:]
        var calls: [String: HealthActivity.ModelArtsCalls] = [:]
        var limiterWaits = 0
        var limiterWaitSeconds: Double = 0
    }

    private let box = NIOLockedValueBox(Counts())

    func recordCall(operation: String, status: String, duration: Duration, limiterWait: Duration) {
        box.withLockedValue { counts in
            counts.calls[operation, default: .init(operation: operation)].statuses[status, default: 0] += 1
            counts.calls[operation]?.durationSeconds += duration.seconds
            counts.limiterWaitSeconds += limiterWait.seconds
            if limiterWait > .zero { counts.limiterWaits += 1 }
        }
    }

    func countAttempt(outcome: String, by amount: Int) {
        box.withLockedValue { $0.attempts[outcome, default: 0] += amount }
    }

    func countReconcileResult(_ result: String, by amount: Int) {
        box.withLockedValue { $0.reconcileResults[result, default: 0] += amount }
    }

    var snapshot: HealthActivity {
        box.withLockedValue { counts in
            HealthActivity(
                attempts: counts.attempts, reconcileResults: counts.reconcileResults,
                modelArtsCalls: counts.calls.values.sorted { $0.operation < $1.operation },
                limiterWaits: counts.limiterWaits, limiterWaitSeconds: counts.limiterWaitSeconds
            )
        }
    }
}
