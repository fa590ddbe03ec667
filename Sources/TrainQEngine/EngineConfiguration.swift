/// Everything the engine can be tuned with (DESIGN §6, `submit.*` and `modelarts.*`), as plain values with
/// the documented defaults. The daemon maps its configuration file onto this; tests shrink the delays.
public struct EngineConfiguration: Sendable, Hashable {
    /// `submit.*`: the retry budget and backoff.
    public var retry: RetryPolicy.Configuration
    /// `submit.desc_marker`: append ` [trainq:<id>]` to `job_desc` where the 256-character limit allows,
    /// so reconciliation can recognise the version exactly.
    public var descMarker: Bool
    /// `modelarts.concurrency`: how many different jobs may have a create in flight at once.
    public var concurrency: Int
    /// `modelarts.rate_limit` (calls per second) and `modelarts.burst`: the token bucket every outgoing call
    /// shares. The engine does not own the bucket; the daemon builds the client's limiter from these two.
    public var rateLimit: Double
    public var burst: Int
    /// How reconciliation searches the job's versions.
    public var reconcile: ReconcileConfiguration
    /// How long a graceful shutdown waits for creates already on the wire. Past it they stay `submitting`
    /// and the next start reconciles them.
    public var drainTimeout: Duration
    /// How many due submissions one pass of the submitter reads from the store.
    public var batchSize: Int

    public init(
        retry: RetryPolicy.Configuration = .init(),
        descMarker: Bool = true,
        concurrency: Int = 4,
        rateLimit: Double = 10,
        burst: Int = 20,
        reconcile: ReconcileConfiguration = .init(),
        drainTimeout: Duration = .seconds(10),
        batchSize: Int = 64
    ) {
        self.retry = retry
        self.descMarker = descMarker
        self.concurrency = concurrency
        self.rateLimit = rateLimit
        self.burst = burst
        self.reconcile = reconcile
        self.drainTimeout = drainTimeout
        self.batchSize = batchSize
    }
}

/// How the reconciler decides whether an attempt with an unknown outcome created a version.
public struct ReconcileConfiguration: Sendable, Hashable {
    /// A version created up to this long before the attempt started still counts: the remote clock may
    /// run behind ours.
    public var clockSkewMargin: Duration
    /// The waits between successive listings that found nothing. One empty list proves nothing (the create
    /// can commit late); only after all of them is the attempt taken as "not created".
    public var relistSchedule: RelistSchedule
    /// Versions per page when listing a job's versions.
    public var pageSize: Int

    public init(
        clockSkewMargin: Duration = .seconds(120),
        relistSchedule: RelistSchedule = .init(),
        pageSize: Int = 100
    ) {
        self.clockSkewMargin = clockSkewMargin
        self.relistSchedule = relistSchedule
        self.pageSize = pageSize
    }
}
