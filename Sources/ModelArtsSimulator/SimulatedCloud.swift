import Foundation
import JSONTree

/// The state of the simulated service: jobs, versions, v2 training jobs, tokens, throttles, faults and counters.
///
/// One actor owns all of it so that a create, the ledger and the fault counts can never disagree.
actor SimulatedCloud {
    /// A version as a caller asked for it, after validation.
    struct VersionDraft: Sendable {
        var jobID: Int64
        var jobDesc: String
        var preVersionID: Int64
        var config: JSONValue
    }

    private let configuration: SimulatorConfiguration
    /// Epoch milliseconds on the service's clock: every timestamp, token expiry and `Date` reads it.
    nonisolated let clock: @Sendable () -> Int64
    private var jobs: [Int64: SimulatedJob] = [:]
    private var versions: [Int64: SimulatedVersion] = [:]
    /// Ids of versions created through the API, in order: the ledger.
    private var createdVersionIds: [Int64] = []
    private var nextVersionID: Int64 = 1
    private var outcomes: [Int64: Int]
    private var faults: FaultList
    private var buckets: [String: TokenBucket] = [:]
    private var tokens: [String: IssuedToken] = [:]
    private var counters = RequestCounters()
    /// When each version was last read (show or list), on the simulator's clock.
    private var lastReadAt: [Int64: Int64] = [:]
    private var trainingJobs: TrainingJobRegistry

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
        self.trainingJobs = TrainingJobRegistry(
            seeds: configuration.scenario.trainingJobs ?? Scenario.defaultTrainingJobs,
            outcomes: configuration.scenario.jobOutcomes, timeScale: configuration.timeScale,
            userName: configuration.iamUser?.name ?? Self.defaultUserName, now: clock())
        let seededAt = clock() - 86_400_000
        for job in configuration.scenario.jobs ?? Scenario.defaultJobs {
            jobs[job.jobID] = SimulatedJob(
                jobID: job.jobID, jobName: job.jobName ?? "job-\(job.jobID)", jobDesc: job.jobDesc ?? "", createTime: seededAt
            )
            for (index, versionID) in job.versions.enumerated() {
                jobs[job.jobID]?.versionIds.append(versionID)
                versions[versionID] = Self.seededVersion(versionID, ordinal: index + 1, of: job.jobID, at: seededAt)
                nextVersionID = max(nextVersionID, versionID + 1)
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
        try ensureJob(draft.jobID, createIfMissing: !configuration.strict)
        let previousIsLive = versions[draft.preVersionID].map { $0.jobID == draft.jobID && !$0.isDeleted } ?? false
        if !previousIsLive {
            // First use of a job unknown so far: it comes with the previous version it was asked about.
            let isFreshJob = !configuration.strict && jobs[draft.jobID]?.versionIds.isEmpty == true
            guard isFreshJob, versions[draft.preVersionID] == nil else {
                throw .parameterError("pre_version_id \(draft.preVersionID) is not a version of job \(draft.jobID)")
            }
            addSeededVersion(draft.preVersionID, toJob: draft.jobID, at: createTime - 86_400_000)
        }
        let versionID = nextVersionID
        nextVersionID += 1
        let version = SimulatedVersion(
            jobID: draft.jobID,
            versionID: versionID,
            versionName: Self.versionName((jobs[draft.jobID]?.versionIds.count ?? 0) + 1),
            preVersionID: draft.preVersionID,
            jobDesc: draft.jobDesc,
            config: draft.config,
            createTime: createTime,
            outcome: outcomes.removeValue(forKey: versionID) ?? VersionOutcome.completed
        )
        // Appended in place: ten thousand versions of one job must not mean ten thousand array copies.
        jobs[draft.jobID]?.versionIds.append(versionID)
        versions[versionID] = version
        createdVersionIds.append(versionID)
        guard let job = jobs[draft.jobID] else { throw .notFound("The training job \(draft.jobID) does not exist.") }
        return (job, version)
    }

    func findVersion(_ versionID: Int64, ofJob jobID: Int64) throws(ServiceError) -> (SimulatedJob, SimulatedVersion) {
        let job = try lookupJob(jobID, createIfMissing: false)
        guard let version = versions[versionID], version.jobID == jobID, !version.isDeleted else {
            throw .notFound("The version \(versionID) of training job \(jobID) does not exist.")
        }
        return (job, version)
    }

    /// The job and its live versions, newest first.
    func versions(ofJob jobID: Int64) throws(ServiceError) -> (SimulatedJob, [SimulatedVersion]) {
        let job = try lookupJob(jobID, createIfMissing: !configuration.strict)
        let live = job.versionIds.compactMap { versions[$0] }.filter { !$0.isDeleted }
        // UNVERIFIED: the real order of list-versions is undocumented; newest first is the likely one.
        return (job, live.sorted { $0.versionID > $1.versionID })
    }

    func allJobs() -> [(SimulatedJob, [SimulatedVersion])] {
        jobs.values.map { job in
            (job, job.versionIds.compactMap { versions[$0] }.filter { !$0.isDeleted })
        }
    }

    func stopVersion(_ versionID: Int64, ofJob jobID: Int64) throws(ServiceError) {
        let (_, version) = try findVersion(versionID, ofJob: jobID)
        let now = clock()
        if version.stopRequestedAt != nil { return }
        let snapshot = version.stateMachine(timeScale: configuration.timeScale).snapshot(at: now)
        if snapshot.isTerminal {
            // Stopping what already stopped is harmless; stopping what finished otherwise is refused.
            if snapshot.status == 12 || snapshot.status == 13 { return }
            throw .notAllowedToStop("The version \(versionID) has already ended (status \(snapshot.status)) and cannot be stopped.")
        }
        versions[versionID]?.stopRequestedAt = now
    }

    func deleteVersion(_ versionID: Int64, ofJob jobID: Int64) throws(ServiceError) {
        _ = try findVersion(versionID, ofJob: jobID)
        versions[versionID]?.isDeleted = true
    }

    func markResponseLost(_ versionID: Int64) {
        versions[versionID]?.responseLost = true
    }

    private func lookupJob(_ jobID: Int64, createIfMissing: Bool) throws(ServiceError) -> SimulatedJob {
        try ensureJob(jobID, createIfMissing: createIfMissing)
        guard let job = jobs[jobID] else { throw .notFound("The training job \(jobID) does not exist.") }
        return job
    }

    private func ensureJob(_ jobID: Int64, createIfMissing: Bool) throws(ServiceError) {
        if jobs[jobID] != nil { return }
        guard createIfMissing else { throw .notFound("The training job \(jobID) does not exist.") }
        jobs[jobID] = SimulatedJob(jobID: jobID, jobName: "job-\(jobID)", jobDesc: "", createTime: clock())
    }

    /// A completed version that existed before the simulation started.
    private func addSeededVersion(_ versionID: Int64, toJob jobID: Int64, at time: Int64) {
        let ordinal = (jobs[jobID]?.versionIds.count ?? 0) + 1
        jobs[jobID]?.versionIds.append(versionID)
        versions[versionID] = Self.seededVersion(versionID, ordinal: ordinal, of: jobID, at: time)
        nextVersionID = max(nextVersionID, versionID + 1)
    }

    private static func seededVersion(_ versionID: Int64, ordinal: Int, of jobID: Int64, at time: Int64) -> SimulatedVersion {
        SimulatedVersion(
            jobID: jobID, versionID: versionID, versionName: versionName(ordinal), preVersionID: nil, jobDesc: "",
            config: .object([:]), createTime: time, outcome: VersionOutcome.completed
        )
    }

    static func versionName(_ ordinal: Int) -> String {
        let digits = String(max(ordinal, 1))
        return "V" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: v2 training jobs

    /// `metadata.user_name` when the caller does not name a user (AK/SK, or no auth at all).
    static let defaultUserName = "modelarts-sim"

    func createTrainingJob(_ draft: CreateTrainingJobBody.Draft, caller: Caller) throws(ServiceError) -> (SimulatedTrainingJob, TrainingJobRegistry.Snapshot) {
        let now = clock()
        let userName: String =
            switch caller {
            case .tokenUser(let user): user
            case .accessKey, .anonymous: configuration.iamUser?.name ?? Self.defaultUserName
            }
        let job = try trainingJobs.create(draft, id: UUID().uuidString.lowercased(), userName: userName, now: now)
        return (job, trainingJobs.snapshot(of: job, at: now))
    }

    /// A show: the job as it stands, counted as read.
    func readTrainingJob(_ id: String) throws(ServiceError) -> (SimulatedTrainingJob, TrainingJobRegistry.Snapshot) {
        let now = clock()
        let job = try trainingJobs.find(id, at: now)
        let snapshot = trainingJobs.snapshot(of: job, at: now)
        trainingJobs.markRead([(job, snapshot)], at: now)
        return (job, snapshot)
    }

    /// A search: `total` jobs exist, `count` match, `page` is what the caller is shown (counted as read).
    func searchTrainingJobs(_ search: TrainingJobSearch) -> (total: Int, count: Int, page: [TrainingJobSearch.Row]) {
        let now = clock()
        let live = trainingJobs.live(at: now)
        let (count, page) = search.apply(to: live)
        trainingJobs.markRead(page, at: now)
        return (live.count, count, page)
    }

    func terminateTrainingJob(_ id: String) throws(ServiceError) -> (SimulatedTrainingJob, TrainingJobRegistry.Snapshot) {
        try trainingJobs.terminate(id, at: clock())
    }

    func deleteTrainingJob(_ id: String) throws(ServiceError) {
        try trainingJobs.delete(id, at: clock())
    }

    func markTrainingJobResponseLost(_ id: String) {
        trainingJobs.markResponseLost(id)
    }

    func setTrainingJobOutcome(_ outcome: TrainingJobOutcome, for id: String) throws(ServiceError) {
        try trainingJobs.setOutcome(outcome, for: id, at: clock())
    }

    // MARK: Control

    /// Scripts how a version ends; refused once the version has ended (terminal states do not change).
    func setOutcome(_ status: Int, forVersion versionID: Int64) throws(ServiceError) {
        guard var version = versions[versionID] else {
            if versionID >= nextVersionID {
                outcomes[versionID] = status
                return
            }
            throw .control("version \(versionID) does not exist", status: 404)
        }
        let snapshot = version.stateMachine(timeScale: configuration.timeScale).snapshot(at: clock())
        guard !snapshot.isTerminal else {
            throw .control("version \(versionID) already ended with status \(snapshot.status)", status: 409)
        }
        version.outcome = status
        versions[versionID] = version
    }

    func replaceFaults(_ rules: [FaultRule]) {
        faults = FaultList(rules)
    }

    var activeFaults: [FaultRule] { faults.rules }

    func ledger() -> Ledger {
        let now = clock()
        let entries = createdVersionIds.compactMap { versions[$0] }.map { version in
            Ledger.Entry(
                jobID: version.jobID, versionID: version.versionID, versionName: version.versionName,
                preVersionID: version.preVersionID, jobDesc: version.jobDesc, createTime: version.createTime,
                status: version.stateMachine(timeScale: configuration.timeScale).snapshot(at: now).status,
                deleted: version.isDeleted, responseLost: version.responseLost,
                lastReadAt: lastReadAt[version.versionID]
            )
        }
        return Ledger(versions: entries, requests: counters, trainingJobs: trainingJobs.ledger(at: now))
    }

    /// The caller is shown these versions now.
    func markRead(_ versionIds: [Int64]) {
        let now = clock()
        for versionID in versionIds { lastReadAt[versionID] = now }
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
