import Foundation
import Metrics
import ModelArts
import NIOConcurrencyHelpers
import Prometheus
import TrainQAPI
import TrainQStore

/// The daemon's metrics, served at `GET /metrics` in the Prometheus text format. One registry holds
/// what this type records (ModelArts calls, the queue as the store sees it) and, once
/// `bootstrapMetricsSystem()` ran, what the engine reports through swift-metrics (attempts, reconcile
/// results). Every name is declared here, so the list of what trainqd exposes lives in one place.
/// The same figures, as `GET /v1/health` shows them, are counted in `activity`.
public final class DaemonMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let activity = ActivityCounts()
    private let submissions: [SubmissionState: Prometheus.Gauge]
    private let trackedVersions: Prometheus.Gauge
    private let oldestDueAge: Prometheus.Gauge
    private let rateLimitCurrent: Prometheus.Gauge
    private let storeCommits: Prometheus.Counter
    private let walPagesWritten: Prometheus.Counter
    /// The store's totals at the last refresh: the counters grow by the difference.
    private let lastStoreTotals = NIOLockedValueBox<(commits: Int64, walPages: Int64)>((0, 0))

    /// Latency buckets: a ModelArts call takes tens of milliseconds to tens of seconds (request timeout).
    static let callBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]
    /// Limiter waits: zero in calm times, up to seconds when the token bucket is empty.
    static let waitBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(10), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var submissions: [SubmissionState: Prometheus.Gauge] = [:]
        for state in SubmissionState.allCases {
            submissions[state] = registry.makeGauge(descriptor: Names.submissions, labels: [("state", state.rawValue)])
        }
        self.submissions = submissions
        self.trackedVersions = registry.makeGauge(descriptor: Names.trackedVersions)
        self.oldestDueAge = registry.makeGauge(descriptor: Names.oldestDueAge)
        self.rateLimitCurrent = registry.makeGauge(descriptor: Names.rateLimitCurrent)
        self.storeCommits = registry.makeCounter(descriptor: Names.storeCommits)
        self.walPagesWritten = registry.makeCounter(descriptor: Names.walPagesWritten)
        // Present from the start, so dashboards and `trainq status` see zeros rather than nothing.
        for outcome in ModelArtsCallOutcome.allCases {
            _ = registry.makeCounter(descriptor: Names.limiterWaitsOver, labels: [("outcome", outcome.rawValue)])
        }
    }

    /// Routes swift-metrics (the engine's counters) into `registry`. Once per process: swift-metrics
    /// allows a single bootstrap, so only the daemon calls this, never a test.
    public func bootstrapMetricsSystem() {
        Self.bootstrapped.withLockedValue { done in
            guard !done else { return }
            MetricsSystem.bootstrap(MultiplexMetricsHandler(factories: [
                PrometheusMetricsFactory(registry: registry), EngineCounterTally(counts: activity),
            ]))
            done = true
        }
    }

    private static let bootstrapped = NIOLockedValueBox(false)

    /// Records one finished ModelArts call (the client's observer).
    public func observe(_ record: ModelArtsClient.CallRecord) {
        let operation = record.operation.rawValue
        let status = record.httpStatus.map(String.init) ?? "none"
        registry.makeCounter(descriptor: Names.calls, labels: [("operation", operation), ("status", status)]).increment()
        registry.makeDurationHistogram(descriptor: Names.callDuration, labels: [("operation", operation)], buckets: Self.callBuckets)
            .record(record.duration)
        registry.makeDurationHistogram(descriptor: Names.limiterWait, labels: [("operation", operation)], buckets: Self.waitBuckets)
            .record(record.limiterWait)
        if record.limiterWait > .zero {
            let outcome: ModelArtsCallOutcome = record.error == nil ? .succeeded : .failed
            registry.makeCounter(descriptor: Names.limiterWaitsOver, labels: [("outcome", outcome.rawValue)]).increment()
        }
        activity.recordCall(operation: operation, status: status, duration: record.duration, limiterWait: record.limiterWait)
    }

    /// Brings the gauges that mirror the store up to date (called before each scrape) and returns what
    /// they show, for `/v1/health`.
    @discardableResult
    public func refresh(from store: any SubmissionStorage, now: Date = Date()) async throws -> (
        counts: [SubmissionState: Int], oldestDueSeconds: Double, footprint: StoreFootprint
    ) {
        let counts = try await store.countsByState()
        for (state, gauge) in submissions { gauge.set(Double(counts[state] ?? 0)) }
        trackedVersions.set(Double(counts[.tracking] ?? 0))
        let age = try await store.oldestDue(now: now)?.seconds ?? 0
        oldestDueAge.set(age)
        let footprint = try await store.footprint()
        if let commits = footprint.commits, let walPages = footprint.walPagesWritten {
            let (newCommits, newPages) = lastStoreTotals.withLockedValue { last in
                defer { last = (max(last.commits, commits), max(last.walPages, walPages)) }
                return (max(0, commits - last.commits), max(0, walPages - last.walPages))
            }
            storeCommits.increment(by: newCommits)
            walPagesWritten.increment(by: newPages)
        }
        return (counts, age, footprint)
    }

    /// The outgoing rate the limiter lets out now (set before each scrape).
    public func setOutgoingRate(_ callsPerSecond: Double) {
        rateLimitCurrent.set(callsPerSecond)
    }

    /// The registry in the Prometheus text exposition format (version 0.0.4).
    public func render() -> String {
        registry.emitToString()
    }

    /// The content type of `render()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    enum ModelArtsCallOutcome: String, CaseIterable {
        case succeeded
        case failed
    }

    /// The names and help texts of what this type registers (computed: the descriptor type is not `Sendable`).
    enum Names {
        static var submissions: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_submissions", unitName: "",
                helpText: "Submissions in the database, by state.")
        }
        static var trackedVersions: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_tracked_versions", unitName: "",
                helpText: "Created versions whose remote status is being followed.")
        }
        static var oldestDueAge: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_oldest_due_submission_age", unitName: "seconds",
                helpText: "How long the oldest submission that is due for an attempt has been waiting (0 when none is due).")
        }
        static var rateLimitCurrent: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_modelarts_rate_limit_current", unitName: "",
                helpText: "Calls per second the shared limiter lets out to ModelArts now (below modelarts.rate_limit while throttled).")
        }
        static var storeCommits: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_store_commits", unitName: "total",
                helpText: "Write transactions the SQLite store committed (one fsync each; a group commit holds many submissions).")
        }
        static var walPagesWritten: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_store_wal_pages_written", unitName: "total",
                helpText: "Pages the SQLite store's commits appended to its write-ahead log (each is copied to the database at a checkpoint).")
        }
        static var calls: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_modelarts_calls", unitName: "total",
                helpText: "ModelArts calls by operation and HTTP status (none: no answer came).")
        }
        static var callDuration: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_modelarts_call_duration", unitName: "seconds",
                helpText: "Time on the wire of ModelArts calls, after the rate limiter.")
        }
        static var limiterWait: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_modelarts_limiter_wait", unitName: "seconds",
                helpText: "Time ModelArts calls waited for the shared rate and concurrency limiter.")
        }
        static var limiterWaitsOver: MetricNameDescriptor {
            MetricNameDescriptor(
                metricName: "trainq_modelarts_limiter_waits", unitName: "total",
                helpText: "ModelArts calls that had to wait at the limiter at all, by how the call then ended.")
        }
    }
}
