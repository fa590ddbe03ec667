import Foundation
import Logging
import ModelArts
import ServiceLifecycle
import TrainQAPI
import TrainQStore

/// The submission engine as the daemon wires it: the executor that carries out every decision of the
/// state machine, the submitter, reconciler and tracker services around it, and the actions a person takes
/// through the API (cancel, retry, resolve).
///
/// ```swift
/// let engine = SubmissionEngine(store: store, client: client, configuration: configuration)
/// let group = ServiceGroup(services: engine.services + [server], ...)
/// // after a 202:
/// engine.submissionAccepted(job: job)
/// ```
public final class SubmissionEngine: Sendable {
    public let submitter: Submitter
    public let reconciler: Reconciler
    public let tracker: VersionTracker
    public let pruner: Pruner
    public let leaseKeeper: LeaseKeeper
    private let store: any SubmissionStorage
    let executor: DecisionExecutor
    private let client: ModelArtsClient
    private let logger: Logger

    public init(
        store: any SubmissionStorage,
        client: ModelArtsClient,
        configuration: EngineConfiguration = .init(),
        tracking: VersionTracker.Configuration = .init(),
        random: RandomSource = .system,
        logger: Logger = Logger(label: "trainq.engine")
    ) {
        let policy = RetryPolicy(configuration: configuration.retry, random: random)
        let links = EngineLinks()
        let executor = DecisionExecutor(
            store: store, client: client, policy: policy, descMarker: configuration.descMarker, logger: logger, links: links)
        let submitter = Submitter(
            store: store, executor: executor, configuration: configuration, signal: links.submitter, logger: logger)
        let reconciler = Reconciler(
            store: store, client: client, executor: executor, configuration: configuration, policy: policy,
            signal: links.reconciler, logger: logger)
        let tracker = VersionTracker(
            store: store, client: client, executor: executor, configuration: tracking, random: random,
            pollRequests: links.tracker, logger: logger)
        self.submitter = submitter
        self.reconciler = reconciler
        self.tracker = tracker
        self.pruner = Pruner(store: store, configuration: configuration.retention, logger: logger)
        self.leaseKeeper = LeaseKeeper(
            store: store, executor: executor, links: links, tracker: tracker,
            shareRate: { [client] daemons in await client.limiter.share(among: daemons) }, logger: logger)
        self.store = store
        self.executor = executor
        self.client = client
        self.logger = logger
    }

    /// The long-running parts, for the daemon's `ServiceGroup` (shut down in reverse: tracking first).
    public var services: [any Service] { [leaseKeeper, pruner, reconciler, submitter, tracker] }

    /// At start, before the daemon says it is ready: attempts a previous run left on the wire go to
    /// reconciliation. Returns how many did. (The submitter does the same when it starts, for callers that
    /// skip this; by then there is nothing left.)
    public func recoverInterruptedAttempts() async throws(EngineError) -> Int {
        if store.leaseHeartbeat != nil {
            // On a shared database this daemon's work is that of the jobs it holds: its own leases from
            // before the restart, and those it takes over now.
            do {
                let changes = try await store.maintainLeases()
                await client.limiter.share(among: changes.liveDaemons)
            } catch {
                throw .storeUnavailable(error)
            }
        }
        return try await executor.recoverInterruptedAttempts()
    }

    /// A submission was stored: start its first attempt now rather than at the next poll.
    public func submissionAccepted() {
        submitter.wake()
    }

    /// A submission of `job` was stored: start its first attempt now if the job is free.
    public func submissionAccepted(job: JobKey) {
        submitter.wake(forNewSubmissionOf: job)
    }

    /// Calls per second the shared limiter lets out now, and the configured most (`modelarts.rate_limit`):
    /// below it while the gateway throttles.
    public func outgoingRate() async -> (current: Double, configured: Double) {
        (await client.limiter.currentRate, client.limiter.configuration.rate)
    }

    // MARK: - A person's actions

    /// `queued`, `retrying` or `needs_attention` → `canceled`. A version that exists (tracking) is stopped
    /// remotely; the state then follows its status to `stopped`.
    public func cancel(id: String, at: Date = Date()) async throws(EngineError) -> SubmissionView {
        try await executor.perform(.cancelRequested, onSubmission: id, at: at)
    }

    /// `rejected` or `exhausted` → `queued` with a fresh attempt budget.
    public func retry(id: String, at: Date = Date()) async throws(EngineError) -> SubmissionView {
        try await executor.perform(.retryRequested, onSubmission: id, at: at)
    }

    /// A person's verdict on a `needs_attention` submission: adopt a version of the submission's job
    /// (checked with ModelArts first), re-queue it, or cancel it.
    public func resolve(id: String, _ resolution: ResolveRequest, at: Date = Date()) async throws(EngineError) -> SubmissionView {
        let event: SubmissionStateMachine.Event
        switch resolution.action {
        case .cancel:
            event = .resolveRequested(.cancel)
        case .requeue:
            event = .resolveRequested(.requeue)
        case .adopt:
            if let trainingJobID = resolution.trainingJobID {
                let placeholder = ObservedRun(run: .trainingJob(CreatedTrainingJob(id: trainingJobID)))
                try await executor.checkAllowed(.resolveRequested(.adopt(placeholder)), onSubmission: id, at: at)
                event = .resolveRequested(.adopt(try await checkedTrainingJob(trainingJobID, for: id)))
                break
            }
            guard let versionID = resolution.versionID else {
                throw .invalidVersion("adopt needs a version_id (v1) or a training_job_id (v2)")
            }
            guard versionID > 0 else { throw .invalidVersion("version_id must be a positive integer, not \(versionID)") }
            // The state decides before ModelArts is asked: the answer does not depend on whether it is up.
            try await executor.checkAllowed(.resolveRequested(.adopt(ObservedRun(id: versionID))), onSubmission: id, at: at)
            event = .resolveRequested(.adopt(try await checkedVersion(versionID, for: id)))
        }
        return try await executor.perform(event, onSubmission: id, at: at)
    }

    /// The version to adopt, as ModelArts describes it: it must exist in the submission's job.
    private func checkedVersion(_ versionID: Int64, for id: String) async throws(EngineError) -> ObservedRun {
        let stored = try await executor.load(id)
        guard stored.view.api == .v1 else {
            throw .invalidVersion("a v2 submission adopts a training job (training_job_id), not a version")
        }
        let detail: VersionDetail
        let client = self.client
        let logger = self.logger.with(["submission": "\(id)"])
        let shown = await ShutdownCancellation.call {
            () async throws(ModelArtsError) in
            try await client.showVersion(jobID: stored.view.jobID, versionID: versionID, projectID: stored.view.projectID, logger: logger)
        }
        switch shown {
        case .success(let shownDetail):
            detail = shownDetail
        case .failure(let error):
            throw Self.adoptionCheckFailed(error, what: "version \(versionID)", whose: " of job \(stored.view.jobID)")
        }
        if let jobID = detail.jobID, jobID != stored.view.jobID {
            throw .invalidVersion("version \(versionID) belongs to job \(jobID), not \(stored.view.jobID)")
        }
        return ObservedRun(
            id: versionID, name: detail.versionName,
            createdAt: detail.createTime.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) },
            status: detail.status)
    }

    /// The v2 job to adopt, as ModelArts describes it: it must exist and carry this submission's name,
    /// the name trainq created it under; no other job can be this submission's.
    private func checkedTrainingJob(_ trainingJobID: String, for id: String) async throws(EngineError) -> ObservedRun {
        let stored = try await executor.load(id)
        guard stored.view.api == .v2, let name = stored.view.trainingJobName else {
            throw .invalidVersion("a v1 submission adopts a version (version_id), not a training job")
        }
        let client = self.client
        let logger = self.logger.with(["submission": "\(id)"])
        let shown = await ShutdownCancellation.call {
            () async throws(ModelArtsError) in
            try await client.showTrainingJob(trainingJobID, projectID: stored.view.projectID, logger: logger)
        }
        switch shown {
        case .success(let job):
            guard job.name == name else {
                throw .invalidVersion("training job \(trainingJobID) is named \(job.name ?? "nothing"), not \(name), the name this submission creates")
            }
            return ObservedRun(job)
        case .failure(let error):
            throw Self.adoptionCheckFailed(error, what: "training job \(trainingJobID)")
        }
    }

    /// Why a run to adopt could not be checked: trainqd is stopping, ModelArts says it cannot be (a
    /// permanent error), or ModelArts could not be asked now.
    private static func adoptionCheckFailed(_ error: ModelArtsError, what: String, whose: String = "") -> EngineError {
        if ShutdownCancellation.isStopping {
            return .shuttingDown("trainqd is stopping, so \(what) could not be checked; nothing changed, ask again once trainqd is back")
        }
        switch error.errorClass {
        case .permanent:
            return .invalidVersion("\(what)\(whose) cannot be adopted: \(error.message)")
        case .transient, .throttled, .slow, .unknownOutcome, .tokenRefresh:
            return .remoteUnavailable("could not check \(what) with ModelArts: \(error.message)")
        }
    }
}
