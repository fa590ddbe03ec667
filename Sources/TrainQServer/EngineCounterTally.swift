import Metrics

/// Passes the engine's swift-metrics counters on to `ActivityCounts` as well as to Prometheus (both sit
/// behind one `MultiplexMetricsHandler`); every other metric it leaves to Prometheus.
struct EngineCounterTally: MetricsFactory {
    /// The counters TrainQEngine reports (its `EngineMetrics`), with the dimension that is tallied; the
    /// README's metric table lists them under these names.
    static let attempts = (label: "trainq_submit_attempts_total", dimension: "outcome")
    static let reconcileResults = (label: "trainq_reconcile_results_total", dimension: "result")

    let counts: ActivityCounts

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let counts = self.counts
        func value(of dimension: String) -> String { dimensions.first { $0.0 == dimension }?.1 ?? "unknown" }
        switch label {
        case Self.attempts.label:
            let outcome = value(of: Self.attempts.dimension)
            return Tally { counts.countAttempt(outcome: outcome, by: $0) }
        case Self.reconcileResults.label:
            let result = value(of: Self.reconcileResults.dimension)
            return Tally { counts.countReconcileResult(result, by: $0) }
        default:
            return NOOPMetricsHandler.instance
        }
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        NOOPMetricsHandler.instance
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    /// One counter's increments, handed to `ActivityCounts`.
    final class Tally: CounterHandler {
        let add: @Sendable (Int) -> Void

        init(_ add: @escaping @Sendable (Int) -> Void) {
            self.add = add
        }

        func increment(by amount: Int64) {
            add(Int(amount))
        }

        /// The tally counts since the daemon started; nothing resets it.
        func reset() {}
    }
}
