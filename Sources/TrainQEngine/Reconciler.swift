import Foundation
import Logging
import ModelArts
import ServiceLifecycle
import TrainQAPI
import TrainQStore

/// Finds out what became of attempts whose outcome is unknown (`reconciling`: a lost response, a 502/504
/// on the create, or a daemon that died mid-attempt).
///
/// For a v1 version it lists the job's versions (all pages) and matches them against what the attempt
/// sent (`VersionMatcher`); for a v2 job it searches for the submission's own name and compares names
/// exactly (`like` is a substring match). A match is adopted (`tracking`). An empty result is not trusted at once: the create
/// may commit late, so the job is listed again at the widening waits of the `RelistSchedule`, and only when
/// every listing came back without a match is the submission re-queued (`retrying`, due now). Several
/// candidates, or a listing that cannot be had, go to `needs_attention` with the reason.
public actor Reconciler: Service {
    enum State {
        case idle
        case running
        case finished
    }

    /// What the reconciler remembers about one submission between listings. The empty listings and the next
    /// listing's time are also on the row (written through the machine), so a restart resumes the schedule;
    /// failed listings are counted here only, for their backoff.
    struct Progress {
        var emptyListings = 0
        var failedListings = 0
        var nextListingAt: Date
    }

    private var state: State = .idle
    private var progress: [String: Progress] = [:]
    private let store: any SubmissionStorage
    private let client: ModelArtsClient
    private let executor: DecisionExecutor
    private let configuration: EngineConfiguration
    private let policy: RetryPolicy
    private let matcher: VersionMatcher
    private let logger: Logger
    /// Its doorbell, shared with the executor's `wakeReconciler` action.
    private let signal: WakeSignal

    init(
        store: any SubmissionStorage, client: ModelArtsClient, executor: DecisionExecutor, configuration: EngineConfiguration,
        policy: RetryPolicy, signal: WakeSignal, logger: Logger
    ) {
        self.signal = signal
        self.store = store
        self.client = client
        self.executor = executor
        self.configuration = configuration
        self.policy = policy
        self.matcher = VersionMatcher(clockSkewMargin: configuration.reconcile.clockSkewMargin)
        self.logger = logger
    }

    /// Look at `reconciling` submissions now.
    public nonisolated func wake() {
        signal.ring()
    }

    public func run() async throws {
        guard case .idle = state else { return }
        state = .running
        let signal = self.signal
        await withGracefulShutdownHandler {
            await self.loop()
        } onGracefulShutdown: {
            signal.requestStop()
        }
        state = .finished
    }

    private func loop() async {
        while !signal.stopRequested, !Task.isCancelled {
            let timeout = await reconcileDue()
            await signal.wait(timeout: timeout)
        }
    }

    /// One pass over the `reconciling` submissions whose next listing is due; returns the wait until the
    /// next one.
    private func reconcileDue() async -> Duration {
        let rows: [StoredSubmission]
        do {
            rows = try await store.submissions(in: .reconciling)
        } catch {
            logger.error("could not read submissions to reconcile", metadata: ["error": "\(error)"])
            return Submitter.idlePoll
        }
        let ids = Set(rows.map(\.id))
        progress = progress.filter { ids.contains($0.key) }
        for row in rows {
            guard !signal.stopRequested, !Task.isCancelled else { break }
            let now = Date()
            // After a restart the row says how far the schedule had come.
            let entry = progress[row.id]
                ?? Progress(emptyListings: row.relist.emptyListings, nextListingAt: row.relist.nextListingAt ?? now)
            progress[row.id] = entry
            guard entry.nextListingAt <= now else { continue }
            await reconcile(row, progress: entry)
        }
        let earliest = progress.values.map(\.nextListingAt).min()
        guard let earliest else { return Submitter.idlePoll }
        let wait = Duration(timeInterval: earliest.timeIntervalSinceNow)
        return min(max(wait, .milliseconds(1)), Submitter.idlePoll)
    }

    // MARK: - One submission

    private func reconcile(_ row: StoredSubmission, progress entry: Progress) async {
        let metadata: Logger.Metadata = [
            "submission": "\(row.id)", "job_id": "\(row.view.jobID)", "attempt": "\(row.view.attempts.last?.number ?? 0)",
        ]
        var entry = entry
        let verdict: SubmissionStateMachine.ReconcileVerdict
        switch await lookUp(row) {
        case .failure where ShutdownCancellation.isStopping:
            return
        case .failure(let failure):
            switch failure.errorClass {
            case .permanent:
                verdict = .undecidable("looking for the attempt's \(row.view.api == .v1 ? "version" : "job") failed: \(failure.summary)")
            case .transient, .throttled, .slow, .unknownOutcome, .tokenRefresh:
                // The listing is retried; a failed listing proves nothing, so it does not count as empty.
                entry.failedListings += 1
                EngineMetrics.reconciled(.listingFailed)
                let delay = policy.delay(for: failure.errorClass, afterAttempt: entry.failedListings, hints: failure.hints)
                entry.nextListingAt = Date().adding(delay)
                progress[row.id] = entry
                logger.notice("looking for the attempt's result failed; trying again", metadata: metadata.merging([
                    "error": "\(failure.summary)", "delay_ms": "\(delay.milliseconds)",
                ]) { $1 })
                return
            }
        case .success(let found):
            switch found {
            case .match(let observed):
                verdict = .found(observed)
            case .ambiguous(let candidates):
                verdict = .ambiguous(candidates: candidates)
            case .none:
                entry.emptyListings += 1
                if let wait = configuration.reconcile.relistSchedule.wait(afterEmptyListings: entry.emptyListings) {
                    verdict = .notSeenYet(emptyListings: entry.emptyListings, relistAfter: wait)
                } else {
                    verdict = .notCreated
                }
            }
        }
        await apply(verdict, to: row, progress: entry, metadata: metadata)
    }

    /// What a look at ModelArts found of the attempt.
    enum Found {
        case match(ObservedRun)
        case ambiguous([String])
        case none
    }

    private func lookUp(_ row: StoredSubmission) async -> Result<Found, AttemptFailure> {
        switch row.view.api {
        case .v1:
            return await listing(for: row).map { attempt, versions in
                switch matcher.match(attempt, in: versions) {
                case .match(let version): .match(version.observed)
                case .ambiguous(let candidates): .ambiguous(candidates.map { String($0.versionID) })
                case .none: .none
                }
            }
        case .v2:
            return await search(for: row)
        }
    }

    /// The v2 jobs named exactly as this submission's: its name is its own, so one is the attempt's job.
    private func search(for row: StoredSubmission) async -> Result<Found, AttemptFailure> {
        guard let name = row.view.trainingJobName else {
            return .failure(AttemptFailure(errorClass: .permanent, errorCode: "trainq.request", message: "the submission has no job name"))
        }
        let client = self.client
        let logger = self.logger.with(["submission": "\(row.id)", "training_job_name": "\(name)"])
        let searched = await ShutdownCancellation.call {
            () async throws(ModelArtsError) in
            try await client.trainingJobs(namedExactly: name, projectID: row.view.projectID, logger: logger)
        }
        switch searched {
        case .failure(let error):
            return .failure(AttemptFailure(error))
        case .success(let jobs):
            switch jobs.count {
            case 0: return .success(.none)
            case 1: return .success(.match(ObservedRun(jobs[0])))
            default: return .success(.ambiguous(jobs.map(\.id)))
            }
        }
    }

    /// What the attempt sent, and the job's versions as listed now.
    private func listing(for row: StoredSubmission) async -> Result<(VersionMatcher.Attempt, [VersionMatcher.Listed]), AttemptFailure> {
        guard let startedAt = row.view.attempts.last?.startedAt else {
            return .failure(AttemptFailure(errorClass: .permanent, errorCode: "trainq.attempt", message: "no attempt is recorded"))
        }
        // The same rule the executor used decides what went out, marker included.
        let sent: (request: CreateVersionRequest, marker: String?)
        switch CreateRequestPreparation.marked(for: row, descMarker: configuration.descMarker) {
        case .success(let marked): sent = marked
        case .failure(let failure): return .failure(failure)
        }
        let excluded: Set<Int64>
        do {
            excluded = try await versionsOwnedByOthers(row)
        } catch {
            return .failure(AttemptFailure(errorClass: .transient, errorCode: "trainq.store", message: "\(error)"))
        }
        let attempt = VersionMatcher.Attempt(
            startedAt: startedAt, serverStartedAt: row.latestAttemptServerStart, marker: sent.marker,
            excludedVersionIDs: excluded)
        // A stop cancels a listing that hangs; a cancelled listing proves nothing and is made again later.
        let client = self.client
        let perPage = configuration.reconcile.pageSize
        let logger = self.logger.with(["submission": "\(row.id)", "job_id": "\(row.view.jobID)"])
        let listed = await ShutdownCancellation.call {
            () async throws(ModelArtsError) in
            try await client.listAllVersions(jobID: row.view.jobID, perPage: perPage, projectID: row.view.projectID, logger: logger)
        }
        switch listed {
        case .success(let versions):
            return .success((attempt, versions.compactMap { VersionMatcher.Listed($0, comparedWith: sent.request) }))
        case .failure(let error):
            return .failure(AttemptFailure(error))
        }
    }

    /// Versions of the same job that other submissions already own: whatever else matches, not these.
    private func versionsOwnedByOthers(_ row: StoredSubmission) async throws -> Set<Int64> {
        var owned: Set<Int64> = []
        var cursor: String?
        // Bounded walk: SubmissionQuery.maximumLimit rows a page.
        for _ in 0..<10_000 {
            let page = try await store.list(SubmissionQuery(jobID: row.view.jobID, limit: SubmissionQuery.maximumLimit, cursor: cursor))
            for submission in page.submissions
            where submission.id != row.id && submission.projectID == row.view.projectID {
                if let versionID = submission.versionID { owned.insert(versionID) }
            }
            guard let next = page.nextCursor else { break }
            cursor = next
        }
        return owned
    }

    /// The verdict goes to the executor; for `notSeenYet` the row as written says when to list again.
    private func apply(
        _ verdict: SubmissionStateMachine.ReconcileVerdict, to row: StoredSubmission, progress entry: Progress,
        metadata: Logger.Metadata
    ) async {
        EngineMetrics.reconciled(.init(verdict))
        progress[row.id] = entry
        do {
            switch try await executor.execute(.reconciled(verdict), on: row) {
            case .stale:
                progress[row.id] = nil
            case .applied(let written?) where written.state != .reconciling:
                progress[row.id] = nil
            case .applied(let written):
                if let relist = written?.relist {
                    progress[row.id] = Progress(
                        emptyListings: relist.emptyListings, failedListings: entry.failedListings,
                        nextListingAt: relist.nextListingAt ?? Date())
                }
                logger.debug(
                    "no version found yet; listing again later",
                    metadata: metadata.merging(["empty_listings": "\(entry.emptyListings)"]) { $1 })
            }
        } catch {
            logger.error("could not record the reconciliation", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            progress[row.id]?.nextListingAt = Date().adding(Submitter.idlePoll)
        }
    }

}
