import ModelArts

/// Everything the engine can be tuned with (DESIGN §6, `submit.*` and `modelarts.*`), as plain values with
/// the documented defaults. These defaults are the only ones: the daemon's configuration holds this type and
/// only overwrites what its file, environment or flags set; tests shrink the delays.
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
    /// How reconciliation searches the job's versions (`submit.reconcile_waits`).
    public var reconcile: ReconcileConfiguration
    /// `submit.drain_timeout`: how long a graceful shutdown waits for creates already on the wire. Past it
    /// they stay `submitting` and the next start reconciles them.
    public var drainTimeout: Duration
    /// `retention.*`: how long ended submissions are kept.
    public var retention: RetentionConfiguration

    public init(
        retry: RetryPolicy.Configuration = .init(),
        descMarker: Bool = true,
        concurrency: Int = ModelArtsClientConfiguration.Defaults.concurrency,
        rateLimit: Double = ModelArtsClientConfiguration.Defaults.rate,
        burst: Int = ModelArtsClientConfiguration.Defaults.burst,
        reconcile: ReconcileConfiguration = .init(),
        drainTimeout: Duration = .seconds(10),
        retention: RetentionConfiguration = .init()
    ) {
        self.retry = retry
        self.descMarker = descMarker
        self.concurrency = concurrency
        self.rateLimit = rateLimit
        self.burst = burst
        self.reconcile = reconcile
        self.drainTimeout = drainTimeout
        self.retention = retention
    }
}

/// How the reconciler decides whether an attempt with an unknown outcome created a version.
public struct ReconcileConfiguration: Sendable, Hashable {
    /// When the attempt's start on ModelArts' clock is not known (no answer had told its time), a version
    /// created up to this long before the attempt started on the host's clock still counts. The default
    /// is the signature window: a host whose clock is further off cannot call the service at all.
    public var clockSkewMargin: Duration
    /// The waits between successive listings that found nothing. One empty list proves nothing (the create
    /// can commit late); only after all of them is the attempt taken as "not created".
    public var relistSchedule: RelistSchedule
    /// Versions per page when listing a job's versions.
    public var pageSize: Int

    public init(
        clockSkewMargin: Duration = .seconds(15 * 60),
        relistSchedule: RelistSchedule = .init(),
        pageSize: Int = 100
    ) {
        self.clockSkewMargin = clockSkewMargin
        self.relistSchedule = relistSchedule
        self.pageSize = pageSize
    }
}

/// A value the engine cannot work with, named by its configuration key (DESIGN §6).
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    /// e.g. `submit.max_delay`; settings that have no key are named in words.
    public var key: String
    public var problem: String

    public init(_ key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "\(key): \(problem)" }
}

extension EngineConfiguration {
    /// Every value that cannot work, named by its configuration key; empty when all are usable. The daemon
    /// refuses to start (and `--check-config` fails) on any.
    public func problems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if retry.maxAttempts < 1 { problems.append(.init("submit.max_attempts", "must be at least 1, not \(retry.maxAttempts)")) }
        if retry.maxAge <= .zero { problems.append(.init("submit.max_age", "must be positive")) }
        if retry.baseDelay < .zero { problems.append(.init("submit.base_delay", "must not be negative")) }
        if retry.maxDelay < retry.baseDelay { problems.append(.init("submit.max_delay", "must be at least submit.base_delay")) }
        if retry.slowBaseDelay < .zero { problems.append(.init("submit.slow_base_delay", "must not be negative")) }
        if retry.slowMaxDelay < retry.slowBaseDelay {
            problems.append(.init("submit.slow_max_delay", "must be at least submit.slow_base_delay"))
        }
        if concurrency < 1 { problems.append(.init("modelarts.concurrency", "must be at least 1, not \(concurrency)")) }
        if !(rateLimit > 0) || !rateLimit.isFinite { problems.append(.init("modelarts.rate_limit", "must be a positive number")) }
        if burst < 1 { problems.append(.init("modelarts.burst", "must be at least 1, not \(burst)")) }
        // One empty listing proves nothing (DESIGN §2): at least one wait before "not created".
        if reconcile.relistSchedule.waits.isEmpty { problems.append(.init("submit.reconcile_waits", "needs at least one wait")) }
        if reconcile.clockSkewMargin < .zero { problems.append(.init("reconcile clock-skew margin", "must not be negative")) }
        if !(1...1000).contains(reconcile.pageSize) {
            problems.append(.init("reconcile page size", "must be 1-1000, not \(reconcile.pageSize)"))
        }
        if drainTimeout < .zero { problems.append(.init("submit.drain_timeout", "must not be negative")) }
        // Less than an hour would delete what a person is still looking at; `0s` turns retention off.
        if let terminal = retention.terminal, terminal < .seconds(3600) {
            problems.append(.init("retention.terminal", "must be at least 1h, or 0s to keep everything"))
        }
        return problems
    }
}

extension VersionTracker.Configuration {
    /// The `track.*` values that cannot work, like `EngineConfiguration.problems()`.
    public func problems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if minInterval <= .zero { problems.append(.init("track.min_interval", "must be above zero")) }
        if maxInterval < minInterval { problems.append(.init("track.max_interval", "must be at least track.min_interval")) }
        return problems
    }
}
