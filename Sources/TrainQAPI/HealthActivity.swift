import Foundation

/// What trainqd did since it started, as `/metrics` counts it, in `GET /v1/health` so that `trainq status`
/// and scripts read typed fields instead of the Prometheus text.
public struct HealthActivity: Sendable, Codable, Hashable {
    /// Finished attempts, by outcome as `attempts[].outcome` names it.
    public var attempts: [String: Int]
    /// Reconciliation steps, by what the listing showed (`found`, `not_seen_yet`, `not_created`, …).
    public var reconcileResults: [String: Int]
    /// One entry per operation called so far, sorted by operation.
    public var modelArtsCalls: [ModelArtsCalls]
    /// ModelArts calls that had to wait at the shared rate limiter at all.
    public var limiterWaits: Int
    /// The time all calls waited at the limiter, added up.
    public var limiterWaitSeconds: Double

    /// The calls of one ModelArts operation (`create_version`, `list_versions`, …).
    public struct ModelArtsCalls: Sendable, Codable, Hashable {
        public var operation: String
        /// Calls by HTTP status; `none` counts the calls that got no answer.
        public var statuses: [String: Int]
        /// Their time on the wire, added up.
        public var durationSeconds: Double

        public init(operation: String, statuses: [String: Int] = [:], durationSeconds: Double = 0) {
            self.operation = operation
            self.statuses = statuses
            self.durationSeconds = durationSeconds
        }

        /// Every call, answered or not.
        public var count: Int { statuses.values.reduce(0, +) }

        enum CodingKeys: String, CodingKey {
            case operation, statuses
            case durationSeconds = "duration_seconds"
        }
    }

    public init(
        attempts: [String: Int] = [:], reconcileResults: [String: Int] = [:], modelArtsCalls: [ModelArtsCalls] = [],
        limiterWaits: Int = 0, limiterWaitSeconds: Double = 0
    ) {
        self.attempts = attempts
        self.reconcileResults = reconcileResults
        self.modelArtsCalls = modelArtsCalls
        self.limiterWaits = limiterWaits
        self.limiterWaitSeconds = limiterWaitSeconds
    }

    enum CodingKeys: String, CodingKey {
        case attempts
        case reconcileResults = "reconcile_results"
        case modelArtsCalls = "modelarts_calls"
        case limiterWaits = "limiter_waits"
        case limiterWaitSeconds = "limiter_wait_seconds"
    }
}
