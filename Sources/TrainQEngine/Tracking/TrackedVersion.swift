import TrainQAPI
import TrainQStore

/// What the tracker keeps in memory for one `tracking` submission: only what polling needs, so ten
/// thousand tracked versions cost a few megabytes rather than ten thousand stored requests.
struct TrackedVersion: Sendable {
    var submissionID: SubmissionKey
    /// The v1 job (a v2 job's lane: its jobs are shown one by one, never listed by job).
    var job: JobKey
    var run: RemoteRun
    /// The remote status last stored; nil before the first one.
    var remoteStatus: RemoteStatus?
    /// A v2 job's `secondary_phase` last seen: logged when it changes, never decided on.
    var secondaryPhase: String?
    var schedule: TrackingSchedule
    var nextPollAt: ContinuousClock.Instant
    /// An undocumented status is logged once per version, not at every poll.
    var warnedUnknownStatus = false

    init(
        submissionID: SubmissionKey, job: JobKey, run: RemoteRun, remoteStatus: RemoteStatus?, schedule: TrackingSchedule,
        nextPollAt: ContinuousClock.Instant
    ) {
        self.submissionID = submissionID
        self.job = job
        self.run = run
        self.remoteStatus = remoteStatus
        self.schedule = schedule
        self.nextPollAt = nextPollAt
    }

    /// Nil for a submission that is not `tracking` or has no version or job id, which cannot be tracked.
    init?(_ submission: SubmissionView, schedule: TrackingSchedule, firstPollAt: ContinuousClock.Instant) {
        guard submission.state == .tracking, let run = submission.run() else { return nil }
        self.init(
            submissionID: SubmissionKey(submission.id), job: JobKey(projectID: submission.projectID, jobID: submission.jobID), run: run,
            remoteStatus: submission.remoteStatus, schedule: schedule, nextPollAt: firstPollAt)
    }

    /// The v1 version id, nil for a v2 job.
    var versionID: Int64? {
        if case .version(let version) = run { version.id } else { nil }
    }
}
