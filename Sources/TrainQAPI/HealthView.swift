import Foundation

/// `GET /v1/health`: liveness, readiness and the queue at a glance.
public struct HealthView: Sendable, Codable, Hashable {
    /// `ok` or `degraded`.
    public var status: String
    public var database: String
    public var version: String
    public var startedAt: Date
    /// Submissions per state; every state is present.
    public var states: [String: Int]
    public var lastModelArtsSuccessAt: Date?
    public var simulated: Bool
    /// How long the oldest submission due for an attempt has waited (0 when none is due); absent when
    /// the database could not be read, and from daemons older than this field.
    public var oldestDueSeconds: Double?
    /// Counts since the daemon started; absent from daemons older than this field.
    public var activity: HealthActivity?
    /// The rate of outgoing ModelArts calls; absent from daemons older than this field.
    public var modelArtsRate: HealthRate?
    /// The database file and how far back it reaches; absent when it could not be read, and from daemons
    /// older than this field.
    public var storage: HealthStorage?

    public init(
        status: String, database: String, version: String, startedAt: Date, states: [String: Int],
        lastModelArtsSuccessAt: Date?, simulated: Bool, oldestDueSeconds: Double? = nil, activity: HealthActivity? = nil,
        modelArtsRate: HealthRate? = nil, storage: HealthStorage? = nil
    ) {
        self.status = status
        self.database = database
        self.version = version
        self.startedAt = startedAt
        self.states = states
        self.lastModelArtsSuccessAt = lastModelArtsSuccessAt
        self.simulated = simulated
        self.oldestDueSeconds = oldestDueSeconds
        self.activity = activity
        self.modelArtsRate = modelArtsRate
        self.storage = storage
    }

    enum CodingKeys: String, CodingKey {
        case status, database, version, states, simulated, activity, storage
        case startedAt = "started_at"
        case lastModelArtsSuccessAt = "last_modelarts_success_at"
        case oldestDueSeconds = "oldest_due_seconds"
        case modelArtsRate = "modelarts_rate"
    }
}

/// Calls per second the shared limiter lets out to ModelArts: `configured` is `modelarts.rate_limit`,
/// `current` is lower while the gateway throttles and climbs back as calls succeed.
public struct HealthRate: Sendable, Codable, Hashable {
    public var current: Double
    public var configured: Double

    public init(current: Double, configured: Double) {
        self.current = current
        self.configured = configured
    }

    /// Whether throttling has slowed trainqd below its configured rate.
    public var isReduced: Bool { current < configured }
}
