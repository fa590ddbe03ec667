import Foundation
import Logging
import ModelArts
import ServiceLifecycle
import Synchronization
import TrainQAPI
import TrainQStore

/// The submission engine as the daemon wires it: the submitter and reconciler services, connected to each
/// other, and the actions a person takes through the API (cancel, retry, resolve).
///
/// ```swift
/// let engine = SubmissionEngine(store: store, client: client, configuration: configuration)
/// let group = ServiceGroup(services: engine.services + [server], ...)
/// // after a 202:
/// engine.submissionAccepted()
/// ```
public final class SubmissionEngine: Sendable {
    public let submitter: Submitter
    public let reconciler: Reconciler
    private let store: SubmissionStore
    private let client: ModelArtsClient
    private let policy: RetryPolicy
    private let logger: Logger

    public init(
        store: SubmissionStore,
        client: ModelArtsClient,
        configuration: EngineConfiguration = .init(),
        random: RandomSource = .system,
        logger: Logger = Logger(label: "trainq.engine")
    ) {
        let policy = RetryPolicy(configuration: configuration.retry, random: random)
        let signals = EngineSignals()
        let submitter = Submitter(
            store: store, client: client, configuration: configuration, policy: policy, logger: logger,
            onReconcileNeeded: { signals.wakeReconciler() })
        let reconciler = Reconciler(
            store: store, client: client, configuration: configuration, policy: policy, logger: logger,
            onRequeued: { submitter.wake() })
        signals.reconciler = reconciler
        self.submitter = submitter
        self.reconciler = reconciler
        self.store = store
        self.client = client
        self.policy = policy
        self.logger = logger
    }

    /// The long-running parts, for the daemon's `ServiceGroup`.
    public var services: [any Service] { [submitter, reconciler] }

    /// A submission was stored: start its first attempt now rather than at the next poll.
    public func submissionAccepted() {
        submitter.wake()
    }

    /// A submission of `job` was stored: start its first attempt now if the job is free.
    public func submissionAccepted(job: JobKey) {
        submitter.wake(forNewSubmissionOf: job)
    }

    // MARK: - A person's actions

    /// `queued`, `retrying` or `needs_attention` → `canceled`. A version that exists (tracking) has to be
    /// stopped remotely, which this engine does not do: that is `EngineError.Kind.notYetSupported`.
    public func cancel(id: String, at: Date = Date()) async throws(EngineError) -> SubmissionView {
        try await apply(.cancelRequested, to: id, at: at)
    }

    /// `rejected` or `exhausted` → `queued` with a fresh attempt budget.
    public func retry(id: String, at: Date = Date()) async throws(EngineError) -> SubmissionView {
        let view = try await apply(.retryRequested, to: id, at: at)
        submitter.wake()
        return view
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
            guard let versionID = resolution.versionID else {
                throw .invalidVersion("adopt needs a version_id")
            }
            event = .resolveRequested(.adopt(try await checkedVersion(versionID, for: id)))
        }
        let view = try await apply(event, to: id, at: at)
        submitter.wake()
        return view
    }

    /// The version to adopt, as ModelArts describes it: it must exist in the submission's job.
    private func checkedVersion(_ versionID: Int64, for id: String) async throws(EngineError) -> ObservedVersion {
        let stored = try await load(id)
        let detail: VersionDetail
        do throws(ModelArtsError) {
            detail = try await client.showVersion(
                jobID: stored.view.jobID, versionID: versionID, projectID: stored.view.projectID,
                logger: logger.with(["submission": "\(id)"]))
        } catch {
            switch error.errorClass {
            case .permanent:
                throw .invalidVersion("version \(versionID) of job \(stored.view.jobID) cannot be adopted: \(error.message)")
            case .transient, .slow, .unknownOutcome, .tokenRefresh:
                throw .remoteUnavailable("could not check version \(versionID) with ModelArts: \(error.message)")
            }
        }
        if let jobID = detail.jobID, jobID != stored.view.jobID {
            throw .invalidVersion("version \(versionID) belongs to job \(jobID), not \(stored.view.jobID)")
        }
        return ObservedVersion(
                id: versionID, name: detail.versionName,
                createdAt: detail.createTime.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) },
            status: detail.status)
    }

    private func load(_ id: String) async throws(EngineError) -> StoredSubmission {
        let stored: StoredSubmission?
        do {
            stored = try await store.stored(id: id)
        } catch {
            throw .storeUnavailable(error)
        }
        guard let stored else { throw .notFound(id) }
        return stored
    }

    /// Reads the submission, lets the state machine decide, and writes with compare-and-set; if the state
    /// changed in between (the submitter started an attempt), decides again on the new state.
    private func apply(_ event: SubmissionStateMachine.Event, to id: String, at: Date) async throws(EngineError) -> SubmissionView {
        for _ in 0..<3 {
            let stored = try await load(id)
            var machine = SubmissionStateMachine(state: stored.state, policy: policy)
            let context = SubmissionStateMachine.Context(
                attemptsInBudget: stored.attemptCount, budgetStartedAt: stored.budgetStartedAt,
                previousOutcome: stored.lastAttemptOutcome)
            let decision: SubmissionStateMachine.Decision
            switch machine.handle(event, context: context, now: at) {
            case .failure(let refusal): throw .refused(refusal)
            case .success(let decided): decision = decided
            }
            guard let next = decision.next else { return stored.view }
            var changes = SubmissionChanges()
            for action in decision.actions {
                switch action {
                case .resetBudget: changes.resetBudget = true
                case .scheduleAttempt(let due, _): changes.nextAttemptAt = due
                case .startTracking(let version):
                    changes.version = version.version
                    changes.remoteStatus = version.remoteStatus(at: at)
                case .persistAttemptThenSend, .refreshToken, .reconcile, .relist: break
                }
            }
            let written: SubmissionView?
            do {
                written = try await store.transition(
                    id: id, from: stored.state, to: next, changes: changes, reason: decision.reason, at: at)
            } catch {
                throw .storeUnavailable(error)
            }
            if let written {
                logger.info(
                    "submission changed by a person",
                    metadata: ["submission": "\(id)", "job_id": "\(stored.view.jobID)", "state": "\(next.rawValue)", "event": "\(event.name)"])
                return written
            }
        }
        throw .conflict(id)
    }
}

/// Lets the submitter, built first, wake the reconciler built after it.
private final class EngineSignals: Sendable {
    private let box = Mutex<Reconciler?>(nil)

    var reconciler: Reconciler? {
        get { box.withLock { $0 } }
        set { box.withLock { $0 = newValue } }
    }

    func wakeReconciler() {
        reconciler?.wake()
    }
}
