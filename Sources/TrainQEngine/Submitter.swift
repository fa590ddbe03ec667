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
    private let store: any SubmissionStorage
    private let executor: DecisionExecutor
    private let configuration: EngineConfiguration
    private let logger: Logger
    /// Its doorbell, shared with the executor's `wakeSubmitter` action.
    private let signal: WakeSignal

    /// How long the loop sleeps at most, even with nothing due: a safety net should a wake-up be missed.
    static let idlePoll: Duration = .seconds(5)

    init(
        store: any SubmissionStorage, executor: DecisionExecutor, configuration: EngineConfiguration, signal: WakeSignal,
        logger: Logger
    ) {
        self.signal = signal
        self.store = store
        self.executor = executor
        self.configuration = configuration
        self.logger = logger
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
            let recovered = try await executor.recoverInterruptedAttempts()
            if recovered > 0 {
                logger.notice("attempts interrupted by the last stop go to reconciliation", metadata: ["count": "\(recovered)"])
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

    /// Hands the due submission to the executor, which records the attempt, sends it and records how it
    /// ended (or, for a spent budget, ends it without sending).
    private func attempt(_ submission: StoredSubmission) async {
        defer { finished(submission.id) }
        guard !isShuttingDown else { return }
        do {
            let serverClock = executor.client.serverClock.earliestServerTime()
            try await executor.execute(.attemptStarting(serverClock: serverClock), on: submission)
        } catch {
            logger.error(
                "could not start the attempt",
                metadata: ["submission": "\(submission.id)", "job_id": "\(submission.view.jobID)", "error": "\(error)"])
        }
    }
}

extension ObservedRun {
    init(_ response: CreateVersionResponse) {
        self.init(
            id: response.versionID, name: response.versionName,
            createdAt: response.createTime.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) },
            status: response.status)
    }
}
