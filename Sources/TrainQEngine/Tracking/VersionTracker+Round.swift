import Foundation
import JSONTree
import Logging
import ModelArts
import TrainQAPI
import TrainQStore

/// One polling round of the tracker: which calls to make, running them, and handing what they saw to the
/// executor, which decides (through the state machine) what is stored and whether tracking ends.
extension VersionTracker {
    /// One round: decides per job between one list and a show per due version, runs the calls with
    /// bounded concurrency, and applies each answer as it arrives.
    func pollDueVersions() async {
        // Versions due a moment from now go along: one wake-up and one list serve them all.
        let now = ContinuousClock.now + dueTolerance
        var calls: [PollCall] = []
        var dueTrainingJobs: [String: [SubmissionKey]] = [:]
        for (job, dueCount) in tracked.dueCounts(at: now).sorted(by: { $0.key.jobID < $1.key.jobID }) {
            // v2 jobs have a lane each; they are gathered per project below.
            guard job.jobID > 0 else {
                dueTrainingJobs[job.projectID, default: []] += tracked.due(of: job, at: now)
                continue
            }
            let plan = PollPlan.choose(
                dueVersions: dueCount, trackedVersions: tracked.submissions(of: job).count,
                knownVersionCount: tracked.versionCount(of: job), pageSize: configuration.pageSize)
            switch plan {
            case .list:
                calls.append(.list(job))
            case .show:
                for id in tracked.due(of: job, at: now) {
                    if let versionID = tracked[id]?.versionID {
                        calls.append(.show(submissionID: id, job: job, versionID: versionID))
                    }
                }
            }
        }
        for (projectID, due) in dueTrainingJobs.sorted(by: { $0.key < $1.key }) {
            let plan = TrainingJobPollPlan.choose(
                dueJobs: due.count, trackedJobs: tracked.trainingJobs(in: projectID).count,
                knownActiveCount: tracked.activeTrainingJobCounts[projectID], pageLimit: ModelArtsClient.trainingJobSearchLimit,
                searchWorks: !tracked.projectsWithoutSearch.contains(projectID))
            switch plan {
            case .search: calls.append(.searchTrainingJobs(projectID: projectID))
            case .show: calls += due.compactMap(showCall)
            }
        }
        guard !calls.isEmpty else { return }
        await fitIntervalsToTheRate()
        let client = self.client
        let logger = self.logger
        let pageSize = configuration.pageSize
        let limit = configuration.concurrentCalls
        var queue = Array(calls.reversed())
        await withTaskGroup(of: PollCall.Answer.self) { group in
            var inFlight = 0
            while true {
                while inFlight < limit, let call = queue.popLast() {
                    group.addTask { await call.perform(with: client, pageSize: pageSize, logger: logger) }
                    inFlight += 1
                }
                guard let answer = await group.next() else { break }
                inFlight -= 1
                queue.insert(contentsOf: await handle(answer, roundStart: now).reversed(), at: 0)
            }
        }
    }

    /// Applies one answer; returns the show calls it makes necessary (a tracked version missing from its
    /// job's list is shown alone, which tells a vanished version apart).
    private func handle(_ answer: PollCall.Answer, roundStart: ContinuousClock.Instant) async -> [PollCall] {
        switch answer {
        case .listed(let job, let versions):
            tracked.setVersionCount(Int64(versions.count), of: job)
            var byID: [Int64: VersionSighting] = [:]
            for version in versions where byID[version.versionID] == nil {
                byID[version.versionID] = version
            }
            var followUps: [PollCall] = []
            // One jitter for the whole job: its versions stay due together, so the next round again
            // costs one list rather than one wake-up (and possibly one list) per version.
            let jitter = nextJitter()
            for id in tracked.submissions(of: job).sorted() {
                guard let versionID = tracked[id]?.versionID else { continue }
                if let sighting = byID[versionID] {
                    await apply(
                        sighting.status, timing: RemoteStatusMapping.timing(of: sighting),
                        snapshot: RemoteStatusMapping.snapshot(of: sighting), to: id, jitter: jitter)
                } else {
                    followUps.append(.show(submissionID: id, job: job, versionID: versionID))
                }
            }
            return followUps
        case .listFailed(let job, let error):
            let failure = PollFailure.decide(error, what: "job \(job.jobID)")
            report(error, failure: failure, metadata: ["job_id": "\(job.jobID)"])
            for id in tracked.due(of: job, at: roundStart) { postpone(id, after: failure) }
            return []
        case .shown(let id, let detail):
            await apply(detail, to: id, jitter: nextJitter())
            return []
        case .showFailed(let id, let versionID, let error):
            await handle(error, of: id, what: "version \(versionID)")
            return []
        case .shownTrainingJob(let id, let job):
            await apply(job, to: id, jitter: nextJitter())
            return []
        case .showTrainingJobFailed(let id, let trainingJobID, let error):
            await handle(error, of: id, what: "training job \(trainingJobID)")
            return []
        case .searchedTrainingJobs(let projectID, let result):
            tracked.setActiveTrainingJobCount(result.count ?? Int64(result.items.count), in: projectID)
            var byID: [String: TrainingJob] = [:]
            for job in result.items where byID[job.id] == nil { byID[job.id] = job }
            var followUps: [PollCall] = []
            // One jitter for all: the project's jobs stay due together, so the next round is one search again.
            let jitter = nextJitter()
            for id in tracked.trainingJobs(in: projectID) {
                guard case .trainingJob(let trainingJob)? = tracked[id]?.run else { continue }
                if let job = byID[trainingJob.id] {
                    await apply(job, to: id, jitter: jitter)
                } else if let due = tracked[id]?.nextPollAt, due <= roundStart, let call = showCall(id) {
                    // Ended (a terminal phase is read by its own show, twice), on a later page, or gone.
                    followUps.append(call)
                }
            }
            return followUps
        case .searchTrainingJobsFailed(let projectID, let error):
            let failure = PollFailure.decide(error, what: "the training-job search of project \(projectID)")
            report(error, failure: failure, metadata: ["project_id": "\(projectID)"])
            if case .retryLater(_, isPermanent: true) = failure {
                logger.warning("showing this project's v2 jobs one by one from now on", metadata: ["project_id": "\(projectID)"])
                tracked.stopSearching(projectID)
            }
            // The jobs due now are shown instead: a search that fails is no reason to poll them late.
            return tracked.trainingJobs(in: projectID).filter { tracked[$0].map { $0.nextPollAt <= roundStart } ?? false }.compactMap(showCall)
        }
    }

    /// The show call for a tracked v2 job.
    private func showCall(_ id: SubmissionKey) -> PollCall? {
        guard let version = tracked[id], case .trainingJob(let trainingJob) = version.run else { return nil }
        return .showTrainingJob(submissionID: id, projectID: version.job.projectID, trainingJobID: trainingJob.id)
    }

    /// A failed show: a version or job that is gone ends tracking (keeping the last state seen);
    /// anything else waits for the next poll.
    private func handle(_ error: ModelArtsError, of id: SubmissionKey, what: String) async {
        let failure = PollFailure.decide(error, what: what)
        if case .versionGone(let reason) = failure {
            await tell(.runVanished(reason: reason, lastSeen: tracked[id]?.remoteStatus), about: id, jitter: nextJitter())
        } else {
            report(error, failure: failure, metadata: metadata(id))
            postpone(id, after: failure)
        }
    }

    /// Tells the executor what a poll of a v2 job saw. Its `secondary_phase` is logged, never decided on
    /// (the documentation says it may change without notice).
    private func apply(_ job: TrainingJob, to id: SubmissionKey, jitter: Double) async {
        guard let tracked = tracked[id] else { return }
        if let secondary = job.secondaryPhase, secondary != tracked.secondaryPhase {
            logger.info(
                "training job phase detail", metadata: metadata(id, [
                    "phase": "\(job.phase?.name ?? "-")", "secondary_phase": "\(secondary)",
                ]))
            self.tracked[id]?.secondaryPhase = secondary
        }
        guard let phase = job.phase else {
            logger.warning("training job answer without status.phase; still tracking it", metadata: metadata(id))
            reschedule(id, changed: false, queued: false, jitter: jitter)
            return
        }
        if phase.category == .unknown, !tracked.warnedUnknownStatus {
            logger.warning(
                "training job has a phase trainq does not know; still tracking it", metadata: metadata(id, ["phase": "\(phase)"]))
            self.tracked[id]?.warnedUnknownStatus = true
        }
        let observation = SubmissionStateMachine.RemoteObservation(
            status: RemoteRunStatus(phase), timing: RemoteStatusMapping.timing(of: job), snapshot: .object(job.raw))
        await tell(.remoteStatusSeen(observation), about: id, jitter: jitter, queued: phase.isQueued)
    }

    /// Tells the executor what a poll saw.
    private func apply(_ detail: VersionDetail, to id: SubmissionKey, jitter: Double) async {
        await apply(
            detail.status, timing: RemoteStatusMapping.timing(of: detail), snapshot: RemoteStatusMapping.snapshot(of: detail), to: id,
            jitter: jitter)
    }

    /// What a list or a show saw of a version; `snapshot` is its whole detail.
    private func apply(_ status: VersionStatus, timing: RemoteTiming?, snapshot: JSONValue?, to id: SubmissionKey, jitter: Double) async {
        guard let version = tracked[id] else { return }
        if status.category == .unknown, !version.warnedUnknownStatus {
            logger.warning(
                "version has a status trainq does not know; still tracking it",
                metadata: metadata(id, ["status": "\(status.code)"]))
            tracked[id]?.warnedUnknownStatus = true
        }
        let observation = SubmissionStateMachine.RemoteObservation(status: status, timing: timing, snapshot: snapshot)
        await tell(.remoteStatusSeen(observation), about: id, jitter: jitter)
    }

    /// Sends a tracking event to the executor and follows up on what it did: a version that left
    /// `tracking` (its end, or someone else's move) is no longer followed; one that stays is rescheduled.
    ///
    /// - Parameter queued: the job waits for resources (v2 `Pending`), which lasts hours on public pools:
    ///   its polls back off further.
    private func tell(_ event: SubmissionStateMachine.Event, about id: SubmissionKey, jitter: Double, queued: Bool = false) async {
        guard let version = tracked[id] else { return }
        let subject = DecisionExecutor.Subject(
            id: id.id, state: .tracking,
            context: .init(
                attemptsInBudget: 0, budgetStartedAt: .distantPast, run: version.run,
                remoteStatusName: version.remoteStatus?.name),
            metadata: metadata(id))
        do {
            switch try await executor.execute(event, on: subject) {
            case .stale:
                // Someone else moved it on (a person, a restart's recovery): no longer ours to track.
                tracked.remove(id)
            case .applied(let written?) where written.state != .tracking:
                tracked.remove(id)
            case .applied(let written):
                let changed = written?.view.remoteStatus
                if let changed { tracked[id]?.remoteStatus = changed }
                reschedule(id, changed: changed != nil, queued: queued, jitter: jitter)
            }
        } catch {
            logger.error("could not store what a poll saw; will poll again", metadata: metadata(id, ["error": "\(error)"]))
            reschedule(id, changed: false, queued: queued, jitter: jitter)
        }
    }

    // MARK: - Scheduling

    /// How far ahead a round looks for due versions.
    private var dueTolerance: Duration {
        min(.milliseconds(250), configuration.minInterval / 10)
    }

    /// A jitter in -1...1 from the injected source.
    private func nextJitter() -> Double {
        random.next() * 2 - 1
    }

    /// While the gateway throttles (the shared limiter is below its configured rate), tracking takes at
    /// most `Self.throttledShare` of what is left, so that creates keep their turn: a round of about one
    /// call per job may then come no more often than that share allows.
    private func fitIntervalsToTheRate() async {
        let limiter = client.limiter
        let rate = await limiter.currentRate
        guard rate < limiter.configuration.rate, rate > 0 else {
            shortestInterval = nil
            return
        }
        shortestInterval = .seconds(Double(tracked.jobCount) / (rate * Self.throttledShare))
    }

    private func reschedule(_ id: SubmissionKey, changed: Bool, queued: Bool, jitter: Double) {
        guard var version = tracked[id] else { return }
        var interval = version.schedule.polled(changed: changed, queued: queued, jitter: jitter)
        if let shortestInterval { interval = max(interval, shortestInterval) }
        version.nextPollAt = .now + interval
        tracked[id] = version
    }

    private func postpone(_ id: SubmissionKey, after failure: PollFailure) {
        guard var version = tracked[id] else { return }
        var floor: Duration?
        if case .retryLater(let wait, _) = failure { floor = wait }
        version.nextPollAt = .now + version.schedule.failed(floor: floor, jitter: nextJitter())
        tracked[id] = version
    }

    private func report(_ error: ModelArtsError, failure: PollFailure, metadata: Logger.Metadata) {
        var metadata = metadata
        metadata["error"] = "\(error)"
        if case .retryLater(_, isPermanent: true) = failure {
            logger.warning("polling failed with an error that will not heal by itself; still tracking", metadata: metadata)
        } else {
            logger.notice("polling failed; will try again", metadata: metadata)
        }
    }

    private func metadata(_ id: SubmissionKey, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["submission": "\(id)"]
        if let version = tracked[id] {
            metadata["job_id"] = "\(version.job.jobID)"
            switch version.run {
            case .version(let created): metadata["version_id"] = "\(created.id)"
            case .trainingJob(let created): metadata["training_job_id"] = "\(created.id)"
            }
        }
        metadata.merge(extra) { _, new in new }
        return metadata
    }
}
