import Foundation
import JSONTree

/// The state of the simulated service: jobs, versions, tokens, throttles, faults and counters.
///
/// One actor owns all of it so that a create, the ledger and the fault counts can never disagree.
actor SimulatedCloud {
    /// A version as a caller asked for it, after validation.
    struct VersionDraft: Sendable {
        var jobId: Int64
        var jobDesc: String
        var preVersionId: Int64
        var config: JSONValue
    }

    private let configuration: SimulatorConfiguration
    /// Epoch milliseconds on the service's clock: every timestamp, token expiry and `Date` reads it.
    nonisolated let clock: @Sendable () -> Int64
    private var jobs: [Int64: SimulatedJob] = [:]
    private var versions: [Int64: SimulatedVersion] = [:]
    /// Ids of versions created through the API, in order: the ledger.
    private var createdVersionIds: [Int64] = []
    private var nextVersionId: Int64 = 1
    private var outcomes: [Int64: Int]
    private var faults: FaultList
    private var buckets: [String: TokenBucket] = [:]
    private var tokens: [String: IssuedToken] = [:]
    private var counters = RequestCounters()
    /// When each version was last read (show or list), on the simulator's clock.
    private var lastReadAt: [Int64: Int64] = [:]

    struct IssuedToken: Sendable {
        var user: String
        var expiresAt: Int64
    }

    enum TokenCheck: Sendable, Equatable {
        case valid(user: String)
        case expired
        case unknown
    }

    init(configuration: SimulatorConfiguration, clock: @escaping @Sendable () -> Int64 = SimulatedCloud.wallClock) {
        self.configuration = configuration
        self.clock = clock
        self.outcomes = configuration.scenario.outcomes
        self.faults = FaultList(configuration.scenario.faults)
        let seededAt = clock() - 86_400_000
        for job in configuration.scenario.jobs ?? Scenario.defaultJobs {
            jobs[job.jobId] = SimulatedJob(
                jobId: job.jobId, jobName: job.jobName ?? "job-\(job.jobId)", jobDesc: job.jobDesc ?? "", createTime: seededAt
            )
            for (index, versionId) in job.versions.enumerated() {
                jobs[job.jobId]?.versionIds.append(versionId)
                versions[versionId] = Self.seededVersion(versionId, ordinal: index + 1, of: job.jobId, at: seededAt)
                nextVersionId = max(nextVersionId, versionId + 1)
            }
        }
    }

    @Sendable static func wallClock() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down))
    }

    // MARK: Jobs and versions

    /// Creates a version, or says precisely why not.
    func createVersion(_ draft: VersionDraft) throws(ServiceError) -> (SimulatedJob, SimulatedVersion) {
        let createTime = clock()
        try ensureJob(draft.jobId, createIfMissing: !configuration.strict)
        let previousIsLive = versions[draft.preVersionId].map { $0.jobId == draft.jobId && !$0.isDeleted } ?? false
        if !previousIsLive {
            // First use of a job unknown so far: it comes with the previous version it was asked about.
            let isFreshJob = !configuration.strict && jobs[draft.jobId]?.versionIds.isEmpty == true
            guard isFreshJob, versions[draft.preVersionId] == nil else {
                throw .parameterError("pre_version_id \(draft.preVersionId) is not a version of job \(draft.jobId)")
            }
            addSeededVersion(draft.preVersionId, toJob: draft.jobId, at: createTime - 86_400_000)
        }
        let versionId = nextVersionId
        nextVersionId += 1
        let version = SimulatedVersion(
            jobId: draft.jobId,
            versionId: versionId,
            versionName: Self.versionName((jobs[draft.jobId]?.versionIds.count ?? 0) + 1),
            preVersionId: draft.preVersionId,
            jobDesc: draft.jobDesc,
            config: draft.config,
            createTime: createTime,
            outcome: outcomes.removeValue(forKey: versionId) ?? VersionOutcome.completed
        )
        // Appended in place: ten thousand versions of one job must not mean ten thousand array copies.
        jobs[draft.jobId]?.versionIds.append(versionId)
        versions[versionId] = version
        createdVersionIds.append(versionId)
        guard let job = jobs[draft.jobId] else { throw .notFound("The training job \(draft.jobId) does not exist.") }
        return (job, version)
    }

    func findVersion(_ versionId: Int64, ofJob jobId: Int64) throws(ServiceError) -> (SimulatedJob, SimulatedVersion) {
        let job = try lookupJob(jobId, createIfMissing: false)
        guard let version = versions[versionId], version.jobId == jobId, !version.isDeleted else {
            throw .notFound("The version \(versionId) of training job \(jobId) does not exist.")
        }
        return (job, version)
    }

    /// The job and its live versions, newest first.
    func versions(ofJob jobId: Int64) throws(ServiceError) -> (SimulatedJob, [SimulatedVersion]) {
        let job = try lookupJob(jobId, createIfMissing: !configuration.strict)
        let live = job.versionIds.compactMap { versions[$0] }.filter { !$0.isDeleted }
        // UNVERIFIED: the real order of list-versions is undocumented; newest first is the likely one.
        return (job, live.sorted { $0.versionId > $1.versionId })
    }

    func allJobs() -> [(SimulatedJob, [SimulatedVersion])] {
        jobs.values.map { job in
            (job, job.versionIds.compactMap { versions[$0] }.filter { !$0.isDeleted })
        }
    }

    func stopVersion(_ versionId: Int64, ofJob jobId: Int64) throws(ServiceError) {
        let (_, version) = try findVersion(versionId, ofJob: jobId)
        let now = clock()
        if version.stopRequestedAt != nil { return }
        let snapshot = version.stateMachine(timeScale: configuration.timeScale).snapshot(at: now)
        if snapshot.isTerminal {
            // Stopping what already stopped is harmless; stopping what finished otherwise is refused.
            if snapshot.status == 12 || snapshot.status == 13 { return }
            throw .notAllowedToStop("The version \(versionId) has already ended (status \(snapshot.status)) and cannot be stopped.")
        }
        versions[versionId]?.stopRequestedAt = now
    }

    func deleteVersion(_ versionId: Int64, ofJob jobId: Int64) throws(ServiceError) {
        _ = try findVersion(versionId, ofJob: jobId)
        versions[versionId]?.isDeleted = true
    }

    func markResponseLost(_ versionId: Int64) {
        versions[versionId]?.responseLost = true
    }

    private func lookupJob(_ jobId: Int64, createIfMissing: Bool) throws(ServiceError) -> SimulatedJob {
        try ensureJob(jobId, createIfMissing: createIfMissing)
        guard let job = jobs[jobId] else { throw .notFound("The training job \(jobId) does not exist.") }
        return job
    }

    private func ensureJob(_ jobId: Int64, createIfMissing: Bool) throws(ServiceError) {
        if jobs[jobId] != nil { return }
        guard createIfMissing else { throw .notFound("The training job \(jobId) does not exist.") }
        jobs[jobId] = SimulatedJob(jobId: jobId, jobName: "job-\(jobId)", jobDesc: "", createTime: clock())
    }

    /// A completed version that existed before the simulation started.
    private func addSeededVersion(_ versionId: Int64, toJob jobId: Int64, at time: Int64) {
        let ordinal = (jobs[jobId]?.versionIds.count ?? 0) + 1
        jobs[jobId]?.versionIds.append(versionId)
        versions[versionId] = Self.seededVersion(versionId, ordinal: ordinal, of: jobId, at: time)
        nextVersionId = max(nextVersionId, versionId + 1)
    }

    private static func seededVersion(_ versionId: Int64, ordinal: Int, of jobId: Int64, at time: Int64) -> SimulatedVersion {
        SimulatedVersion(
            jobId: jobId, versionId: versionId, versionName: versionName(ordinal), preVersionId: nil, jobDesc: "",
            config: .object([:]), createTime: time, outcome: VersionOutcome.completed
        )
    }

    static func versionName(_ ordinal: Int) -> String {
        let digits = String(max(ordinal, 1))
        return "V" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: Control

    /// Scripts how a version ends; refused once the version has ended (terminal states do not change).
    func setOutcome(_ status: Int, forVersion versionId: Int64) throws(ServiceError) {
        guard var version = versions[versionId] else {
            if versionId >= nextVersionId {
                outcomes[versionId] = status
                return
            }
            throw .control("version \(versionId) does not exist", status: 404)
        }
        let snapshot = version.stateMachine(timeScale: configuration.timeScale).snapshot(at: clock())
        guard !snapshot.isTerminal else {
            throw .control("version \(versionId) already ended with status \(snapshot.status)", status: 409)
        }
        version.outcome = status
        versions[versionId] = version
    }

    func replaceFaults(_ rules: [FaultRule]) {
        faults = FaultList(rules)
    }

    var activeFaults: [FaultRule] { faults.rules }

    func ledger() -> Ledger {
        let now = clock()
        let entries = createdVersionIds.compactMap { versions[$0] }.map { version in
            Ledger.Entry(
                jobId: version.jobId, versionId: version.versionId, versionName: version.versionName,
                preVersionId: version.preVersionId, jobDesc: version.jobDesc, createTime: version.createTime,
                status: version.stateMachine(timeScale: configuration.timeScale).snapshot(at: now).status,
                deleted: version.isDeleted, responseLost: version.responseLost,
                lastReadAt: lastReadAt[version.versionId]
            )
        }
        return Ledger(versions: entries, requests: counters)
    }

    /// The caller is shown these versions now.
    func markRead(_ versionIds: [Int64]) {
        let now = clock()
        for versionId in versionIds { lastReadAt[versionId] = now }
    }

    func snapshot(of version: SimulatedVersion) -> SimulatedVersion.StateMachine.Snapshot {
        version.stateMachine(timeScale: configuration.timeScale).snapshot(at: clock())
    }

    // MARK: Gateway

    func record(_ route: APIRoute) { counters.record(route) }
    func recordRejectedAuth() { counters.rejectedAuth += 1 }
    func recordThrottled() { counters.throttled += 1 }

    func drawFault(for route: APIRoute) -> FaultRule? {
        let fault = faults.draw(for: route)
        if fault != nil { counters.faults += 1 }
        return fault
    }

    /// One request of `caller` against the per-caller budget; false means throttle it.
    func admit(caller: String, limit: Int) -> Bool {
        let now = clock()
        var bucket = buckets[caller] ?? TokenBucket(limit: limit, now: now)
        let admitted = bucket.take(now: now)
        buckets[caller] = bucket
        return admitted
    }

    func issueToken(user: String) -> (token: String, issuedAt: Int64, expiresAt: Int64) {
        let now = clock()
        let lifetime = configuration.tokenLifetime.components
        let lifetimeMilliseconds = lifetime.seconds * 1_000 + lifetime.attoseconds / 1_000_000_000_000_000
        let token = "MIIsim" + RequestIdentifier.make() + RequestIdentifier.make() + RequestIdentifier.make()
        tokens[token] = IssuedToken(user: user, expiresAt: now + lifetimeMilliseconds)
        return (token, now, now + lifetimeMilliseconds)
    }

    func checkToken(_ token: String) -> TokenCheck {
        guard let issued = tokens[token] else { return .unknown }
        return clock() < issued.expiresAt ? .valid(user: issued.user) : .expired
    }
}
