import Foundation
import Logging
import ModelArts
import ServiceLifecycle
import Synchronization
import TrainQAPI
import TrainQStore

/// Sends due submissions to ModelArts (DESIGN §2, §3): `queued` ones and `retrying` ones whose time has
/// come, oldest first.
///
/// - The attempt (`submitting`, its number and start time) is on disk before the create is sent.
/// - At most one create is in flight or of unknown outcome per `(project_id, job_id)`, so reconciliation
///   can tell whose version it found; different jobs run in parallel up to `concurrency`.
/// - `wake()` starts a new submission's first attempt at once; otherwise the loop sleeps until the next
///   due time.
/// - On graceful shutdown no new attempt starts; attempts on the wire get `drainTimeout` to finish, after
///   which they are abandoned as `submitting` and the next start reconciles them.
public actor Submitter: Service {
    enum State {
        case idle
        case running
        /// No new attempt starts; waiting for the in-flight ones until the deadline.
        case draining(deadline: ContinuousClock.Instant)
        case finished
    }

    private var state: State = .idle
    /// Attempts on the wire, by submission id.
    private var inFlight: [String: JobKey] = [:] {
        didSet { jobsInFlight.withLock { $0 = Set(inFlight.values) } }
    }
    /// `inFlight`'s jobs, readable without entering the actor: a new submission of a job whose create
    /// is on the wire cannot start before that attempt finishes (and rings), so it need not wake the loop.
    private nonisolated let jobsInFlight = Mutex<Set<JobKey>>([])
    private let store: SubmissionStore
    private let client: ModelArtsClient
    private let configuration: EngineConfiguration
    private let policy: RetryPolicy
    private let logger: Logger
    private let signal = WakeSignal()
    private let onReconcileNeeded: @Sendable () -> Void
    private let attemptCounter: @Sendable (AttemptOutcome) -> Void

    /// How long the loop sleeps at most, even with nothing due: a safety net should a wake-up be missed.
    static let idlePoll: Duration = .seconds(5)

    /// - Parameter onReconcileNeeded: called when an attempt's outcome turned out unknown (wire it to
    ///   `Reconciler.wake()`).
    public init(
        store: SubmissionStore,
        client: ModelArtsClient,
        configuration: EngineConfiguration,
        policy: RetryPolicy? = nil,
        logger: Logger = Logger(label: "trainq.submitter"),
        onReconcileNeeded: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        self.client = client
        self.configuration = configuration
        self.policy = policy ?? RetryPolicy(configuration: configuration.retry)
        self.logger = logger
        self.onReconcileNeeded = onReconcileNeeded
        self.attemptCounter = { outcome in EngineMetrics.attemptFinished(outcome) }
    }

    /// Look for due work now (after a `202`, a `retry`, a resolved submission...). Cheap; call it freely.
    public nonisolated func wake() {
        signal.ring()
    }

    /// A new submission of `job` was stored: wake the loop unless an attempt of that job is on the wire
    /// (its end rings anyway). Under a burst on one job this saves a pass over the store per request.
    public nonisolated func wake(forNewSubmissionOf job: JobKey) {
        guard !jobsInFlight.withLock({ $0.contains(job) }) else { return }
        signal.ring()
    }

    /// Attempts currently on the wire (for health and tests).
    public var attemptsInFlight: Int { inFlight.count }

    public func run() async throws {
        guard case .idle = state else { return }
        state = .running
        // Rows left `submitting` by a previous run: only this service creates such rows, so doing this
        // before the first attempt cannot touch an attempt of ours.
        do {
            let orphans = try await store.recoverOrphans()
            if !orphans.isEmpty {
                logger.notice("attempts interrupted by the last stop go to reconciliation", metadata: ["count": "\(orphans.count)"])
                onReconcileNeeded()
            }
        } catch {
            logger.error("could not recover interrupted attempts", metadata: ["error": "\(error)"])
            throw error
        }
        let signal = self.signal
        await withGracefulShutdownHandler {
            await self.loop()
        } onGracefulShutdown: {
            signal.requestStop()
        }
        state = .finished
    }

    // MARK: - The loop

    private func loop() async {
        await withDiscardingTaskGroup { group in
            while !isShuttingDown {
                let timeout = await startDueAttempts(group: &group)
                await signal.wait(timeout: timeout)
            }
            await drain()
            // Past the drain: cancel what is left; cancelled attempts write nothing and stay `submitting`.
            group.cancelAll()
        }
    }

    private var isShuttingDown: Bool {
        signal.stopRequested || Task.isCancelled
    }

    /// Starts as many due attempts as the caps allow; returns how long to sleep before looking again.
    ///
    /// The store hands back at most one due submission per job that has no create open, so a long
    /// backlog on a busy job costs nothing here. A finishing attempt rings, which frees its job.
    private func startDueAttempts(group: inout DiscardingTaskGroup) async -> Duration? {
        let capacity = configuration.concurrency - inFlight.count
        guard capacity > 0 else { return Self.idlePoll }
        let now = Date()
        let work: DueWork
        do {
            work = try await store.dueWork(now: now, busyJobs: Set(inFlight.values), limit: capacity)
        } catch {
            logger.error("could not read due submissions", metadata: ["error": "\(error)"])
            return Self.idlePoll
        }
        for submission in work.due where inFlight[submission.id] == nil {
            inFlight[submission.id] = submission.jobKey
            group.addTask {
                await self.attempt(submission)
            }
        }
        // More due than capacity: a finishing attempt rings. Otherwise sleep until the next due time; the
        // poll bounds the wait for jobs whose open create the reconciler settles.
        guard !work.moreDue, let nextDueAt = work.nextDueAt else { return Self.idlePoll }
        return min(max(Duration(timeInterval: nextDueAt.timeIntervalSince(Date())), .milliseconds(1)), Self.idlePoll)
    }

    private func drain() async {
        guard !inFlight.isEmpty else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.drainTimeout
        state = .draining(deadline: deadline)
        logger.notice("waiting for attempts in flight", metadata: ["count": "\(inFlight.count)"])
        while !inFlight.isEmpty, clock.now < deadline {
            await signal.wait(timeout: deadline - clock.now)
        }
        if !inFlight.isEmpty {
            logger.warning(
                "attempts still in flight after the drain stay submitting; the next start reconciles them",
                metadata: ["count": "\(inFlight.count)", "submissions": "\(inFlight.keys.sorted())"])
        }
    }

    private func finished(_ id: String) {
        inFlight[id] = nil
        signal.ring()
    }

    // MARK: - One attempt

    private func attempt(_ submission: StoredSubmission) async {
        defer { finished(submission.id) }
        var metadata: Logger.Metadata = ["submission": "\(submission.id)", "job_id": "\(submission.view.jobID)"]
        let now = Date()
        var machine = SubmissionStateMachine(state: submission.state, policy: policy)
        let startContext = SubmissionStateMachine.Context(
            attemptsInBudget: submission.attemptCount, budgetStartedAt: submission.budgetStartedAt,
            previousOutcome: submission.lastAttemptOutcome)
        guard case .success(let start) = machine.handle(.attemptStarting, context: startContext, now: now) else { return }
        guard start.next == .submitting else {
            // The budget ran out while it waited.
            await write(submission.id, from: submission.state, start, metadata: metadata)
            return
        }
        guard !isShuttingDown else { return }

        // Durable before sending: a crash from here on leaves `submitting`, which restarts reconcile.
        let begun: SubmissionView?
        do {
            begun = try await store.transition(
                id: submission.id, from: submission.state, to: .submitting, attempt: .begin(at: now), reason: nil, at: now)
        } catch {
            logger.error("could not record the attempt; not sending", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return
        }
        guard let begun else { return }  // canceled (or otherwise moved) meanwhile
        let number = begun.attempts.last?.number ?? submission.attemptCount + 1
        metadata["attempt"] = "\(number)"
        let context = SubmissionStateMachine.Context(
            attemptsInBudget: submission.attemptCount + 1, budgetStartedAt: submission.budgetStartedAt,
            previousOutcome: submission.lastAttemptOutcome)

        let event: SubmissionStateMachine.Event
        switch prepare(submission) {
        case .failure(let failure):
            event = .attemptFailed(failure)
        case .success(let request):
            logger.debug("sending create", metadata: metadata)
            do throws(ModelArtsError) {
                let response = try await client.createVersion(
                    jobID: submission.view.jobID, request: request, projectID: submission.view.projectID,
                    logger: logger.with(metadata))
                event = .versionCreated(ObservedVersion(response))
            } catch {
                if Task.isCancelled {
                    // Abandoned by the drain: the outcome is unknown and nothing is written; the next start
                    // finds the row `submitting` and reconciles it.
                    logger.warning("attempt abandoned at shutdown", metadata: metadata)
                    return
                }
                event = .attemptFailed(AttemptFailure(error))
            }
        }
        let finishedAt = Date()
        guard case .success(let decision) = machine.handle(event, context: context, now: finishedAt) else { return }
        if let outcome = decision.attemptOutcome { attemptCounter(outcome) }
        let attemptResult: AttemptResult
        var changes = SubmissionChanges()
        switch event {
        case .versionCreated(let version):
            attemptResult = .created(version, at: finishedAt)
            changes.version = version.version
            changes.remoteStatus = version.remoteStatus(at: finishedAt)
            changes.lastError = .clear
        case .attemptFailed(let failure):
            attemptResult = AttemptResult(failure: failure, decision: decision, at: finishedAt)
            changes.lastError = .set(LastError(failure))
        default:
            return
        }
        await write(submission.id, from: .submitting, decision, changes: changes, attempt: .finish(attemptResult), at: finishedAt, metadata: metadata)
    }

    /// The request to send (with the marker where it fits). A stored request that no longer validates is
    /// a permanent failure.
    private func prepare(_ submission: StoredSubmission) -> Result<CreateVersionRequest, AttemptFailure> {
        switch CreateVersionRequest.validate(submission.view.request) {
        case .failure(let error):
            return .failure(AttemptFailure(
                errorClass: .permanent, errorCode: "trainq.request", message: "the stored request is not valid: \(error)"))
        case .success(let request):
            let marked = DescMarker.apply(to: request, submissionID: submission.id, enabled: configuration.descMarker)
            return .success(marked.request)
        }
    }

    /// Applies a decision to the store and carries out its follow-up actions.
    private func write(
        _ id: String, from: SubmissionState, _ decision: SubmissionStateMachine.Decision,
        changes: SubmissionChanges = .none, attempt: AttemptWrite? = nil, at: Date = Date(), metadata: Logger.Metadata
    ) async {
        guard let next = decision.next else { return }
        var changes = changes
        for action in decision.actions {
            if case .scheduleAttempt(let at, _) = action { changes.nextAttemptAt = at }
        }
        // A few tries: an outcome left unwritten keeps the job blocked (`submitting`) until the next start.
        var tries = 0
        while true {
            tries += 1
            do {
                let written = try await store.transition(
                    id: id, from: from, to: next, changes: changes, attempt: attempt, reason: decision.reason, at: at)
                guard written != nil else {
                    logger.warning("submission changed meanwhile; outcome not written", metadata: metadata)
                    return
                }
                break
            } catch {
                logger.error(
                    "could not record the outcome",
                    metadata: metadata.merging(["error": "\(error)", "state": "\(next.rawValue)", "try": "\(tries)"]) { $1 })
                guard tries < 3, (try? await Task.sleep(for: .milliseconds(200 * tries))) != nil else { return }
            }
        }
        var logMetadata = metadata
        logMetadata["state"] = "\(next.rawValue)"
        if let reason = decision.reason { logMetadata["reason"] = "\(reason)" }
        if let delay = decision.chosenDelay { logMetadata["delay_ms"] = "\(delay.milliseconds)" }
        logger.info("attempt done", metadata: logMetadata)
        for action in decision.actions {
            switch action {
            case .reconcile: onReconcileNeeded()
            // The finished attempt rings anyway; the next pass sleeps until the scheduled time.
            case .scheduleAttempt: break
            // The client replaces a refused token itself; the immediate re-attempt above uses the new one.
            case .refreshToken, .persistAttemptThenSend, .startTracking, .relist, .resetBudget: break
            }
        }
    }
}

extension StoredSubmission {
    /// How the latest attempt ended, if it did.
    var lastAttemptOutcome: AttemptOutcome? {
        view.attempts.last?.outcome.flatMap(AttemptOutcome.init(rawValue:))
    }
}

extension ObservedVersion {
    init(_ response: CreateVersionResponse) {
        self.init(
            id: response.versionID, name: response.versionName,
            createdAt: response.createTime.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) },
            status: response.status)
    }
}
