import JSONTree

/// The v2 training jobs of the simulated service, with the rules of create, read, terminate and delete.
///
/// A value type owned by `SimulatedCloud`: every call takes the time, so the rules are testable without
/// a server and a read that changes a job (the `flap` read) happens in the same actor turn as the read.
struct TrainingJobRegistry: Sendable {
    typealias Snapshot = SimulatedTrainingJob.StateMachine.Snapshot

    /// Simulated milliseconds a deleted job stays readable: deletion is asynchronous (reference §4.4).
    static let deletionMilliseconds: Double = 10_000

    private var jobs: [String: SimulatedTrainingJob] = [:]
    /// Ids of jobs created through the API, in order: the ledger.
    private var createdIDs: [String] = []
    /// Outcome per name substring, longest substring first.
    private let outcomeRules: [(substring: String, outcome: TrainingJobOutcome)]
    let timeScale: Double

    init(seeds: [Scenario.TrainingJob], outcomes: [String: TrainingJobOutcome], timeScale: Double, userName: String, now: Int64) {
        self.timeScale = timeScale
        self.outcomeRules = outcomes.sorted { lhs, rhs in
            lhs.key.count != rhs.key.count ? lhs.key.count > rhs.key.count : lhs.key < rhs.key
        }.map { (substring: $0.key, outcome: $0.value) }
        let seededAt = now - 86_400_000
        for seed in seeds {
            // Seeds are checked when the scenario is read.
            guard let draft = try? CreateTrainingJobBody.validate(seed.job) else { continue }
            var job = SimulatedTrainingJob(
                id: seed.id, name: draft.name, kind: draft.kind, body: seed.job, createTime: seededAt, userName: userName,
                outcome: .completed, createdThroughAPI: false)
            switch seed.phase {
            case .failed: job.outcome = .failed
            case .abnormal: job.outcome = .abnormal
            case .pending: job.outcome = .pendingForever
            case .terminated:
                // Terminated a while into its run.
                job.terminateRequestedAt = seededAt + job.stateMachine(timeScale: timeScale).realMilliseconds(30_000)
            default: job.outcome = .completed
            }
            jobs[seed.id] = job
        }
    }

    func snapshot(of job: SimulatedTrainingJob, at now: Int64) -> Snapshot {
        job.stateMachine(timeScale: timeScale).snapshot(at: now)
    }

    /// Deleted and past its deletion time: reads as 2775, its name is free again.
    private func isGone(_ job: SimulatedTrainingJob, at now: Int64) -> Bool {
        guard let deletedAt = job.deleteRequestedAt else { return false }
        return now >= deletedAt + job.stateMachine(timeScale: timeScale).realMilliseconds(Self.deletionMilliseconds)
    }

    /// Names are unique per project among jobs that still exist (a job being deleted still holds its name).
    mutating func create(_ draft: CreateTrainingJobBody.Draft, id: String, userName: String, now: Int64) throws(ServiceError) -> SimulatedTrainingJob {
        if jobs.values.contains(where: { $0.name == draft.name && !isGone($0, at: now) }) {
            throw .duplicateTrainingJobName(draft.name)
        }
        let outcome = outcomeRules.first { draft.name.contains($0.substring) }?.outcome ?? .completed
        let job = SimulatedTrainingJob(
            id: id, name: draft.name, kind: draft.kind, body: draft.body, createTime: now, userName: userName, outcome: outcome,
            createdThroughAPI: true)
        jobs[id] = job
        createdIDs.append(id)
        return job
    }

    func find(_ id: String, at now: Int64) throws(ServiceError) -> SimulatedTrainingJob {
        guard let job = jobs[id], !isGone(job, at: now) else { throw .trainingJobNotFound(id) }
        return job
    }

    /// Jobs that still exist, with where they stand.
    func live(at now: Int64) -> [(job: SimulatedTrainingJob, snapshot: Snapshot)] {
        jobs.values.filter { !isGone($0, at: now) }.map { (job: $0, snapshot: self.snapshot(of: $0, at: now)) }
    }

    /// A caller is shown these jobs as `snapshots` said: note the time, and spend a `flap` job's one Failed.
    mutating func markRead(_ rows: [(job: SimulatedTrainingJob, snapshot: Snapshot)], at now: Int64) {
        for row in rows {
            jobs[row.job.id]?.lastReadAt = now
            if row.snapshot.isFlap { jobs[row.job.id]?.flapShownAt = now }
        }
    }

    /// Terminates a job that has not ended; terminating one that is terminating again is harmless.
    mutating func terminate(_ id: String, at now: Int64) throws(ServiceError) -> (SimulatedTrainingJob, Snapshot) {
        var job = try find(id, at: now)
        let current = snapshot(of: job, at: now)
        if current.phase == .terminating { return (job, current) }
        guard !current.isTerminal else { throw .notAllowedToTerminate(id, phase: current.phase) }
        job.terminateRequestedAt = now
        jobs[id] = job
        return (job, snapshot(of: job, at: now))
    }

    mutating func delete(_ id: String, at now: Int64) throws(ServiceError) {
        let job = try find(id, at: now)
        if job.deleteRequestedAt == nil { jobs[id]?.deleteRequestedAt = now }
    }

    mutating func markResponseLost(_ id: String) {
        jobs[id]?.responseLost = true
    }

    /// Scripts how a job ends; refused once it has ended (a terminal phase never changes).
    mutating func setOutcome(_ outcome: TrainingJobOutcome, for id: String, at now: Int64) throws(ServiceError) {
        guard let job = jobs[id], !isGone(job, at: now) else { throw .control("training job \(id) does not exist", status: 404) }
        let current = snapshot(of: job, at: now)
        guard !current.isTerminal, current.phase != .terminating else {
            throw .control("training job \(id) already ended in phase \(current.phase.rawValue)", status: 409)
        }
        jobs[id]?.outcome = outcome
    }

    func ledger(at now: Int64) -> [Ledger.TrainingJobEntry] {
        createdIDs.compactMap { jobs[$0] }.map { job in
            let current = self.snapshot(of: job, at: now)
            return Ledger.TrainingJobEntry(
                id: job.id, name: job.name, kind: job.kind, createTime: job.createTime,
                // The truth, not the flap's false Failed.
                phase: current.isFlap ? TrainingJobPhase.running.rawValue : current.phase.rawValue,
                deleted: job.deleteRequestedAt != nil, responseLost: job.responseLost, body: job.body, lastReadAt: job.lastReadAt)
        }
    }
}
