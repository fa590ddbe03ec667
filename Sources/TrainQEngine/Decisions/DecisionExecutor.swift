import Foundation
import Synchronization
import JSONTree
import Logging
import ModelArts
import TrainQAPI
import TrainQStore

/// The one piece that turns the state machine's decisions into effects: it sends an event to the
/// machine, applies the decision's write in one store transaction (compare-and-set on the state the
/// decision was made in), and then carries out every action in one switch (`run(_:)`). The submitter,
/// the reconciler, the tracker and a person's actions all go through it; none writes a state itself.
public final class DecisionExecutor: Sendable {
    /// What became of an event.
    public enum Execution: Sendable {
        /// The decision was carried out; the row as written, or nil when the decision wrote nothing.
        case applied(StoredSubmission?)
        /// The row was no longer in the state the decision was made in: nothing was written or done.
        case stale
    }

    /// A submission as the machine sees it: enough to decide, without reading the row again.
    public struct Subject: Sendable {
        public var id: String
        public var state: SubmissionState
        public var context: SubmissionStateMachine.Context
        /// The stored row, when the caller has it (sending and stopping need its request and job).
        public var row: StoredSubmission?
        public var metadata: Logger.Metadata

        public init(_ row: StoredSubmission) {
            self.id = row.id
            self.state = row.state
            self.context = SubmissionStateMachine.Context(row)
            self.row = row
            self.metadata = ["submission": "\(row.id)", "job_id": "\(row.view.jobID)"]
            if let attempt = row.view.attempts.last { metadata["attempt"] = "\(attempt.number)" }
        }

        public init(id: String, state: SubmissionState, context: SubmissionStateMachine.Context, metadata: Logger.Metadata) {
            self.id = id
            self.state = state
            self.context = context
            self.row = nil
            self.metadata = metadata
        }
    }

    /// How often a store write is tried before the event counts as not applied.
    static let writeTries = 3

    let store: any SubmissionStorage
    let client: ModelArtsClient
    let policy: RetryPolicy
    let descMarker: Bool
    let logger: Logger
    let links: EngineLinks
    /// The submissions whose create this process is carrying out, from before the write that starts it
    /// until its outcome is written (or could not be). A `submitting` row not in it has no create going
    /// on here: it was interrupted (a restart, a takeover, an outcome the store did not take).
    private let creating = Mutex<Set<String>>([])

    init(
        store: any SubmissionStorage, client: ModelArtsClient, policy: RetryPolicy, descMarker: Bool, logger: Logger,
        links: EngineLinks
    ) {
        self.store = store
        self.client = client
        self.policy = policy
        self.descMarker = descMarker
        self.logger = logger
        self.links = links
    }

    /// Decides `event` for the stored row and carries the decision out.
    @discardableResult
    public func execute(_ event: SubmissionStateMachine.Event, on row: StoredSubmission, at now: Date = Date())
        async throws(EngineError) -> Execution
    {
        try await execute(event, on: Subject(row), at: now)
    }

    /// Decides `event` for `subject` and carries the decision out: the write first, then the actions.
    @discardableResult
    public func execute(_ event: SubmissionStateMachine.Event, on subject: Subject, at now: Date = Date())
        async throws(EngineError) -> Execution
    {
        var machine = SubmissionStateMachine(state: subject.state, policy: policy)
        let decision: SubmissionStateMachine.Decision
        switch machine.handle(event, context: subject.context, now: now) {
        case .failure(let refusal): throw .refused(refusal)
        case .success(let decided): decision = decided
        }
        // Registered before the write that starts a create, and kept until its actions (the create and the
        // write of its outcome) are done.
        let startsCreate = decision.write?.next == .submitting
        if startsCreate { creating.withLock { _ = $0.insert(subject.id) } }
        defer { if startsCreate { creating.withLock { _ = $0.remove(subject.id) } } }
        var written: StoredSubmission?
        if let write = decision.write {
            guard let row = try await commit(write, of: subject) else {
                logger.notice(
                    "submission changed meanwhile; not applied",
                    metadata: subject.metadata.merging(["event": "\(event.name)"]) { $1 })
                return .stale
            }
            written = row
        }
        var current = subject
        if let written {
            // The row as written names the attempt just begun.
            current = Subject(written)
            current.metadata.merge(subject.metadata) { written, _ in written }
            log(event, decision, metadata: current.metadata)
        }
        for action in decision.actions {
            try await run(action, for: current)
        }
        return .applied(written)
    }

    /// A person's action: reads the submission, decides and applies; if the state changed in between
    /// (the submitter started an attempt), decides again on the new state. Returns the submission after it.
    func perform(_ event: SubmissionStateMachine.Event, onSubmission id: String, at now: Date = Date())
        async throws(EngineError) -> SubmissionView
    {
        for _ in 0..<Self.writeTries {
            let row = try await load(id)
            switch try await execute(event, on: row, at: now) {
            case .applied(let written): return written?.view ?? row.view
            case .stale: continue
            }
        }
        throw .conflict(id)
    }

    /// Whether the machine would take `event` for the submission as it is now, without doing anything: a
    /// person's action that needs ModelArts first (checking a version to adopt) is refused before the call.
    func checkAllowed(_ event: SubmissionStateMachine.Event, onSubmission id: String, at now: Date = Date())
        async throws(EngineError)
    {
        let subject = Subject(try await load(id))
        var machine = SubmissionStateMachine(state: subject.state, policy: policy)
        if case .failure(let refusal) = machine.handle(event, context: subject.context, now: now) {
            throw .refused(refusal)
        }
    }

    /// Every `submitting` row this daemon works on with no create going on in this process belongs to
    /// an attempt that was interrupted: at start, a previous run's; on a shared database, also one taken
    /// over from another daemon, or one whose outcome the database did not take. Each goes to
    /// reconciliation, never sent again. Returns how many.
    func recoverInterruptedAttempts(at now: Date = Date()) async throws(EngineError) -> Int {
        let rows: [StoredSubmission]
        do {
            rows = try await store.submissions(in: .submitting)
        } catch {
            throw .storeUnavailable(error)
        }
        // Read after the rows: a create registered before its row became `submitting`, so a row read as
        // `submitting` whose create is still going on is in this set (and one that ended meanwhile has
        // moved on, which the transition's compare-and-set sees).
        let going = creating.withLock { $0 }
        var recovered = 0
        for orphan in rows where !going.contains(orphan.id) {
            if case .applied = try await execute(.daemonRestarted, on: orphan, at: now) { recovered += 1 }
        }
        return recovered
    }

    // MARK: - Carrying out

    /// Every action of the machine, carried out here and nowhere else.
    private func run(_ action: SubmissionStateMachine.Action, for subject: Subject) async throws(EngineError) {
        switch action {
        case .sendCreate:
            await sendCreate(for: try await row(of: subject))
        case .wakeSubmitter:
            links.submitter.ring()
        case .wakeReconciler:
            links.reconciler.ring()
        case .stopRun(let run):
            try await stop(run, of: try await row(of: subject))
        case .pollSoon:
            links.tracker.post(subject.id)
        case .countAttempt(let outcome):
            EngineMetrics.attemptFinished(outcome)
        }
    }

    /// Sends the create of the attempt just recorded and reports how it went as the next event.
    private func sendCreate(for row: StoredSubmission) async {
        let metadata = Subject(row).metadata
        let created: Result<ObservedRun, AttemptFailure>
        // On a shared database a create goes out only while the job's lease outlasts it.
        let store = self.store
        let job = row.jobKey
        let callTime = client.configuration.connectTimeout + client.configuration.requestTimeout
        let sendGuard: ModelArtsClient.SendGuard = {
            await store.mayStartCall(of: job, taking: callTime) ? nil : "this daemon's lease on the job would not outlast the call"
        }
        do throws(ModelArtsError) {
            created = switch row.view.api {
            case .v1: try await createVersion(for: row, metadata: metadata, sendGuard: sendGuard)
            case .v2: try await createTrainingJob(for: row, metadata: metadata, sendGuard: sendGuard)
            }
        } catch {
            if Task.isCancelled {
                // Abandoned by the drain: the outcome is unknown and nothing is written; the next start
                // finds the row `submitting` and reconciles it.
                logger.warning("attempt abandoned at shutdown", metadata: metadata)
                return
            }
            created = .failure(AttemptFailure(error))
        }
        let event: SubmissionStateMachine.Event
        switch created {
        case .success(let observed): event = .runCreated(observed)
        case .failure(let failure): event = .attemptFailed(failure)
        }
        do {
            try await execute(event, on: row)
        } catch {
            // The row stays `submitting`, which keeps the job blocked until it is reconciled: at the next
            // start, or on a shared database at the next heartbeat (`recoverInterruptedAttempts`).
            logger.error("could not record the attempt's outcome", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// v1: `POST .../training-jobs/{job_id}/versions` with the stored request.
    private func createVersion(
        for row: StoredSubmission, metadata: Logger.Metadata, sendGuard: @escaping ModelArtsClient.SendGuard
    ) async throws(ModelArtsError)
        -> Result<ObservedRun, AttemptFailure>
    {
        let request: CreateVersionRequest
        switch CreateRequestPreparation.request(for: row, descMarker: descMarker) {
        case .failure(let failure): return .failure(failure)
        case .success(let prepared): request = prepared
        }
        logger.debug("sending create", metadata: metadata)
        let response = try await client.createVersion(
            jobID: row.view.jobID, request: request, projectID: row.view.projectID, logger: logger.with(metadata),
            sendGuard: sendGuard)
        return .success(ObservedRun(response))
    }

    /// v2: `POST /v2/{project_id}/training-jobs` with the job body, or with a copy of the `from_job` job
    /// read now (a GET, which changes nothing, so a failed read is retried like any failed attempt).
    private func createTrainingJob(
        for row: StoredSubmission, metadata: Logger.Metadata, sendGuard: @escaping ModelArtsClient.SendGuard
    ) async throws(ModelArtsError)
        -> Result<ObservedRun, AttemptFailure>
    {
        let body: Result<JSONValue, AttemptFailure>
        switch TrainingJobPreparation.form(of: row) {
        case .failure(let failure):
            return .failure(failure)
        case .success(.job(let document)):
            body = TrainingJobPreparation.body(document, for: row)
        case .success(.copy(let fromJob, let overrides)):
            let source: TrainingJob
            do throws(ModelArtsError) {
                source = try await client.showTrainingJob(fromJob, projectID: row.view.projectID, logger: logger.with(metadata))
            } catch {
                var failure = AttemptFailure(error)
                failure.message = "reading from_job \(fromJob): \(failure.message)"
                return .failure(failure)
            }
            body = TrainingJobPreparation.copyBody(of: source, overrides: overrides, for: row)
        }
        switch body {
        case .failure(let failure):
            return .failure(failure)
        case .success(let body):
            logger.debug("sending create", metadata: metadata.merging(["training_job_name": "\(row.view.trainingJobName ?? "-")"]) { $1 })
            let job = try await client.createTrainingJob(
                body: body, projectID: row.view.projectID, logger: logger.with(metadata), sendGuard: sendGuard)
            return .success(ObservedRun(job))
        }
    }

    /// Stops a version (`POST .../versions/{version_id}/stop`; KILLING, then KILLED) or terminates a v2 job
    /// (`actions` `terminate`; Terminating, then Terminated); the state follows the remote status to
    /// `stopped`. A job that ModelArts will not terminate because it has already ended (409
    /// `ModelArts.2796`) counts as done: tracking reads how it ended.
    private func stop(_ run: RemoteRun, of row: StoredSubmission) async throws(EngineError) {
        let client = self.client
        let logger = self.logger.with(Subject(row).metadata)
        let asked = await ShutdownCancellation.call {
            () async throws(ModelArtsError) in
            switch run {
            case .version(let version):
                try await client.stopVersion(
                    jobID: row.view.jobID, versionID: version.id, projectID: row.view.projectID, logger: logger)
            case .trainingJob(let job):
                try await client.terminateTrainingJob(job.id, projectID: row.view.projectID, logger: logger)
            }
        }
        if case .failure(let error) = asked {
            if ShutdownCancellation.isStopping {
                throw .shuttingDown("trainqd is stopping, so the stop of \(run) was not sent or not confirmed; ask again once trainqd is back")
            }
            if ErrorClassification.isAlreadyEnded(error) {
                logger.info("the job had already ended; nothing to terminate", metadata: ["run": "\(run)"])
                return
            }
            switch error.errorClass {
            case .permanent:
                throw .notAllowed("ModelArts refused to stop \(run): \(error.message)")
            case .transient, .throttled, .slow, .unknownOutcome, .tokenRefresh:
                throw .remoteUnavailable("could not ask ModelArts to stop \(run): \(error.message); try again")
            }
        }
        logger.info("asked ModelArts to stop it", metadata: ["run": "\(run)"])
    }

    // MARK: - The store

    /// Applies the write, trying again a few times when the store fails: an outcome left unwritten keeps
    /// the job blocked. Nil when the row had moved on.
    private func commit(_ write: SubmissionWrite, of subject: Subject) async throws(EngineError) -> StoredSubmission? {
        var tries = 0
        while true {
            tries += 1
            do {
                return try await store.apply(write, id: subject.id)
            } catch {
                logger.error(
                    "could not store a decision",
                    metadata: subject.metadata.merging(["error": "\(error)", "try": "\(tries)"]) { $1 })
                guard tries < Self.writeTries, (try? await Task.sleep(for: .milliseconds(200 * tries))) != nil else {
                    throw .storeUnavailable(error)
                }
            }
        }
    }

    private func row(of subject: Subject) async throws(EngineError) -> StoredSubmission {
        if let row = subject.row { return row }
        return try await load(subject.id)
    }

    func load(_ id: String) async throws(EngineError) -> StoredSubmission {
        let stored: StoredSubmission?
        do {
            stored = try await store.stored(id: id)
        } catch {
            throw .storeUnavailable(error)
        }
        guard let stored else { throw .notFound(id) }
        return stored
    }

    private func log(_ event: SubmissionStateMachine.Event, _ decision: SubmissionStateMachine.Decision, metadata: Logger.Metadata) {
        var metadata = metadata
        metadata["event"] = "\(event.name)"
        guard let next = decision.next else {
            if let status = decision.write?.changes.remoteStatus {
                logger.info("remote status changed", metadata: metadata.merging(["status": "\(status.name)"]) { $1 })
            }
            return
        }
        metadata["state"] = "\(next.rawValue)"
        if let reason = decision.reason { metadata["reason"] = "\(reason)" }
        if let delay = decision.chosenDelay { metadata["delay_ms"] = "\(delay.milliseconds)" }
        logger.info("submission is \(next.rawValue)", metadata: metadata)
    }
}
